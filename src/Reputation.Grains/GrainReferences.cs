using System.Collections.Concurrent;
using Orleans;
using Orleans.Runtime;

namespace Reputation.Grains;

/// <summary>
/// <c>GetGrain&lt;T&gt;(key)</c> without its per-call cost: Orleans 10 resolves the grain type
/// and interface type from the interface's attributes by reflection on every call (about 2 % of
/// a request decision's CPU in a profile). Both are fixed per interface, so they are resolved
/// once and the reference is built from the grain id directly — the same reference, the same grain.
/// </summary>
public static class GrainReferences
{
    private static readonly ConcurrentDictionary<Type, (GrainType Type, GrainInterfaceType Interface)> s_types = new();

    /// <summary>The grain of <typeparamref name="T"/> with this string key.</summary>
    public static T Ref<T>(this IGrainFactory grains, string key)
        where T : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(grains);
        var (type, interfaceType) = s_types.GetOrAdd(typeof(T), static (_, g) => Resolve<T>(g), grains);
        return (T)grains.GetGrain(GrainId.Create(type, key), interfaceType);
    }

    private static (GrainType, GrainInterfaceType) Resolve<T>(IGrainFactory grains)
        where T : IGrainWithStringKey
    {
        var reference = (GrainReference)(object)grains.GetGrain<T>("reference-types");
        return (reference.GrainId.Type, reference.InterfaceType);
    }
}
