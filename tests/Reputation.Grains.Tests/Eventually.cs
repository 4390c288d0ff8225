using System.Diagnostics;

namespace Reputation.Grains.Tests;

internal static class Eventually
{
    /// <summary>
    /// Awaits a condition that one-way propagation makes true shortly; fails with the last value seen
    /// if it is not true within the bound (generous: the bound is for a stuck system, not a slow one).
    /// </summary>
    public static async Task<TimeSpan> HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(10);
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"{what} did not hold within {limit.TotalSeconds:0} s");
            }

            await Task.Delay(5);
        }

        return clock.Elapsed;
    }
}
