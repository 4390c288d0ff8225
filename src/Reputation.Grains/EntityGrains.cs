namespace Reputation.Grains;

/// <summary>The three kinds of linked entity by the names the API and the metrics use, and their grains.</summary>
public static class EntityGrains
{
    public const string IpRange = "ip-range";
    public const string PaymentInstrument = "payment-instrument";
    public const string PromptTemplate = "prompt-template";

    /// <summary>The entity grain of a kind and key; null for a kind that is not one of the three.</summary>
    public static IEntityGrain? Of(IGrainFactory grains, string kind, string key) => kind switch
    {
        IpRange => grains.Ref<IIpRangeGrain>(key),
        PaymentInstrument => grains.Ref<IPaymentInstrumentGrain>(key),
        PromptTemplate => grains.Ref<IPromptTemplateGrain>(key),
        _ => null,
    };
}
