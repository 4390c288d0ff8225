using Reputation.Contracts;

namespace Reputation.Integration.Tests;

/// <summary>The service on real Azure Table storage (Azurite), as a process that can be killed.</summary>
public sealed class PersistenceTests
{
    [Theory]
    [InlineData("Batched")]
    [InlineData("PerGrain")]
    public async Task Links_and_counters_survive_kill_9_of_the_service(string writes)
    {
        var ct = TestContext.Current.CancellationToken;
        var ports = ServiceProcess.Ports.Free();
        var table = Azurite.UniqueTable("Kill");
        var now = DateTimeOffset.UtcNow;

        AccountView before;
        EventBatchResult resent;
        var settings = new Dictionary<string, string> { ["Reputation__Storage__Writes"] = writes };
        await using (var service = ServiceProcess.Start(ports, Azurite.ConnectionString, table, settings: settings))
        {
            await service.WaitUntilReadyAsync(ct);
            var client = service.CreateClient();
            var signup = await client.DecideSignupAsync(
                new SignupDecisionRequest { AccountId = "durable-1", Ip = "198.51.100.40", PaymentFingerprint = "pf-durable-1" }, ct);
            Assert.False(signup.IsFallback, signup.FallbackCause);

            var batch = new EventBatch
            {
                Events =
                [
                    new IngestEvent { Id = "d-1", Type = EventType.Usage, AccountId = "durable-1", OccurredAt = now, Ip = "198.51.100.40", Requests = 25, InputTokens = 1000, OutputTokens = 5000 },
                    new IngestEvent { Id = "d-2", Type = EventType.Usage, AccountId = "durable-1", OccurredAt = now, Ip = "2001:db8:5::9", Requests = 5 },
                    new IngestEvent { Id = "d-3", Type = EventType.Payment, AccountId = "durable-1", OccurredAt = now, PaymentFingerprint = "pf-durable-2", Outcome = PaymentOutcome.Declined, AmountMinor = 500, Currency = "EUR" },
                ],
            };
            var accepted = await client.IngestAsync(batch, ct);
            Assert.Equal(3, accepted.Accepted);
            before = (await client.GetAccountAsync("durable-1", ct))!;

            await service.KillAsync();

            await using var restarted = ServiceProcess.Start(ports, Azurite.ConnectionString, table, settings: settings);
            await restarted.WaitUntilReadyAsync(ct);
            var again = restarted.CreateClient();
            var after = await again.GetAccountAsync("durable-1", ct);
            resent = await again.IngestAsync(batch, ct);

            Assert.NotNull(after);
            Assert.Equal(before.IpRanges, after.IpRanges);
            Assert.Equal(before.PaymentInstruments, after.PaymentInstruments);
            Assert.Equal(30, after.Usage.RequestsTotal);
            Assert.Equal(before.Usage.RequestsTotal, after.Usage.RequestsTotal);
            Assert.Equal(1, after.Payments.Declined);
            Assert.Equal(before.CreatedAt, after.CreatedAt);
            var range = await again.GetIpRangeAsync("198.51.100.0", 24, ct);
            Assert.Equal(1, range!.SignupsLastHour);
            Assert.Equal(25, range.Usage.RequestsTotal);
            var instrument = await again.GetPaymentInstrumentAsync("pf-durable-2", ct);
            Assert.Equal(1, instrument!.Payments.Declined);
        }

        // Event ids are remembered in storage too: the batch sent again after the restart counts once.
        Assert.Equal(0, resent.Accepted);
        Assert.Equal(3, resent.Duplicates);
    }

    [Fact]
    public async Task The_service_refuses_to_start_with_one_clear_line_when_storage_does_not_answer()
    {
        var ct = TestContext.Current.CancellationToken;
        // A port nothing listens on: the storage endpoints of an Azurite that is not running.
        var closed = ServiceProcess.Ports.Free().Http;
        var connection = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"TableEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;";

        await using var service = ServiceProcess.Start(ServiceProcess.Ports.Free(), connection, "Unreachable");
        var exitCode = await service.WaitForExitAsync(ct);

        Assert.Equal(1, exitCode);
        var line = service.RefusalLine();
        Assert.Contains("start Azurite", line, StringComparison.Ordinal);
        Assert.Contains("Reputation:Storage:ConnectionString", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_development_the_service_refuses_to_start_without_configured_keys()
    {
        var ct = TestContext.Current.CancellationToken;

        await using var service = ServiceProcess.Start(ServiceProcess.Ports.Free(), Azurite.ConnectionString, Azurite.UniqueTable("Prod"), "Production");
        var exitCode = await service.WaitForExitAsync(ct);

        Assert.Equal(1, exitCode);
        var line = service.RefusalLine();
        Assert.Contains("No API keys are configured", line, StringComparison.Ordinal);
        Assert.Contains("EmailHashKey", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_service_is_ready_only_when_its_storage_answers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = ServiceProcess.Start(ServiceProcess.Ports.Free(), Azurite.ConnectionString, Azurite.UniqueTable("Ready"));
        await service.WaitUntilReadyAsync(ct);

        using var http = new HttpClient { BaseAddress = service.BaseAddress };
        using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), ct);
        using var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative), ct);

        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
    }
}
