namespace Reputation.Core.Arithmetic;

/// <summary>
/// Counter arithmetic that stops at the ends of <see cref="long"/> instead of wrapping: a counter
/// fed enough large values stays at <see cref="long.MaxValue"/>, never turns negative (which every
/// ratio and threshold downstream would read as "nothing happened"). No checked context, so no
/// exception on the hot path either.
/// </summary>
public static class Saturating
{
    /// <summary><paramref name="a"/> + <paramref name="b"/>, clamped to <see cref="long.MinValue"/>..<see cref="long.MaxValue"/>.</summary>
    public static long Add(long a, long b)
    {
        var sum = unchecked(a + b);
        // Overflow happened when both operands have the same sign and the sum's sign differs from it.
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? long.MinValue : long.MaxValue) : sum;
    }
}
