namespace Reputation.Core.Scoring;

/// <summary>Stable reason codes. Callers key on them: never rename one (docs/reason-codes.md).</summary>
public static class ReasonCodes
{
    public const string NewAccount = "NEW_ACCOUNT";
    public const string IpRangeSignupVelocity = "IP_RANGE_SIGNUP_VELOCITY";
    public const string IpRangeAccounts = "IP_RANGE_ACCOUNTS";
    public const string PaymentInstrumentShared = "PAYMENT_INSTRUMENT_SHARED";
    public const string PaymentChargebacks = "PAYMENT_CHARGEBACKS";
    public const string PaymentDeclines = "PAYMENT_DECLINES";
    public const string AccountRequestVelocity = "ACCOUNT_REQUEST_VELOCITY";
    public const string BurstAfterCreation = "BURST_AFTER_CREATION";
    public const string ReasoningElicitation = "REASONING_ELICITATION";
    public const string PromptTemplateShared = "PROMPT_TEMPLATE_SHARED";
    public const string ClusterUsage = "CLUSTER_USAGE";
    public const string LinkedRisk = "LINKED_RISK";
    public const string SynchronisedActivity = "SYNCHRONISED_ACTIVITY";
    public const string LabelFraud = "LABEL_FRAUD";
    public const string LabelTrusted = "LABEL_TRUSTED";
    public const string IpRotation = "IP_ROTATION";
    public const string ListDeny = "LIST_DENY";
    public const string ListAllow = "LIST_ALLOW";
    public const string ThreatIntelMatch = "THREAT_INTEL_MATCH";
    public const string DormantActivation = "DORMANT_ACTIVATION";
    public const string FirstChargeAmount = "FIRST_CHARGE_AMOUNT";
    public const string ReleasePivot = "RELEASE_PIVOT";
    public const string TemplateSetShared = "TEMPLATE_SET_SHARED";
    /// <summary>An operator released the account and its score has not risen past the release margin since: allowed, contributes 0.</summary>
    public const string Released = "RELEASED";
}
