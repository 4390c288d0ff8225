using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Reputation.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
