using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using Microsoft.Extensions.Options;
using Reputation.Api.Errors;
using Reputation.Api.Hosting;
using Reputation.Contracts;
using Reputation.Core.Intel;
using Reputation.Grains;

namespace Reputation.Api.Features.Intel;

/// <summary>What an import did, or that the store is full (nothing imported).</summary>
public sealed record ImportStixResult(StixImportResult? Result, int Held);

/// <summary>Imports a STIX 2.1 bundle; the bundle is read (and refused whole when not acceptable) by <see cref="StixBundleReader"/>.</summary>
public sealed record ImportStix(JsonElement Bundle) : IRequest<ImportStixResult>;

public sealed class ImportStixHandler(IGrainFactory grains, IIntelCache cache, ReputationClock time) : IRequestHandler<ImportStix, ImportStixResult>
{
    public const int MaxNameLength = 100;

    public const string OtherProducerReason =
        "refused: this id is held from another producer (its created_by_ref differs); only the producer that created an object may update or revoke it";

    public async ValueTask<ImportStixResult> Handle(ImportStix request, CancellationToken cancellationToken)
    {
        var content = StixBundleReader.Read(request.Bundle);
        var grain = grains.GetGrain<IIntelGrain>(IntelGrain.Key);
        var own = (await grain.GetIdentityAsync()).Id;
        var now = time.UtcNow;
        var skipped = new List<SkippedIndicator>();
        var put = new List<IntelIndicator>();
        var revoke = new List<IntelRevocation>();
        foreach (var i in content.Indicators)
        {
            string? reason = null;
            if (i.CreatedByRef == own)
            {
                reason = "an indicator of this deployment's own (created_by_ref is its identity)";
            }
            else if (i.Revoked)
            {
                revoke.Add(new IntelRevocation { Id = i.Id, Modified = i.Modified, Producer = i.CreatedByRef });
                continue;
            }
            else if (i.Unsupported is { } unsupported)
            {
                reason = unsupported;
            }
            else if (i.ValidUntil is { } until && until <= now)
            {
                reason = $"expired: valid_until {StixTime.Format(until)} has passed";
            }

            if (reason is not null)
            {
                skipped.Add(new SkippedIndicator { Id = i.Id, Reason = reason });
                continue;
            }

            put.Add(new IntelIndicator
            {
                Id = i.Id,
                Producer = i.CreatedByRef,
                ProducerName = i.CreatedByRef is { } by && content.Identities.TryGetValue(by, out var name) ? Truncate(name) : null,
                Values = [.. i.Targets.Select(IntelValue.Of)],
                Confidence = i.Confidence,
                ValidFrom = i.ValidFrom,
                ValidUntil = i.ValidUntil,
                Created = i.Created,
                Modified = i.Modified,
                IndicatorTypes = [.. i.IndicatorTypes.Take(8).Select(Truncate)],
                Tlp = i.Tlp,
                Name = i.Name is null ? null : Truncate(i.Name),
                ImportedAt = now,
            });
        }

        var result = await grain.ImportAsync(new IntelImport { Put = put, Revoke = revoke });
        if (result.Status == IntelImportStatus.Full)
        {
            return new ImportStixResult(null, result.Held);
        }

        // This silo's decisions see the import at once; the others hear of it from the grain.
        await cache.RenewAsync();
        foreach (var (id, outcome) in result.Outcomes)
        {
            if (outcome is IntelOutcome.Older)
            {
                skipped.Add(new SkippedIndicator { Id = id, Reason = "a newer version of it (a later modified) is held" });
            }
            else if (outcome is IntelOutcome.NotHeld)
            {
                skipped.Add(new SkippedIndicator { Id = id, Reason = "revoked, and not held here" });
            }
            else if (outcome is IntelOutcome.OtherProducer)
            {
                skipped.Add(new SkippedIndicator { Id = id, Reason = OtherProducerReason });
            }
        }

        int Count(IntelOutcome o) => result.Outcomes.Values.Count(v => v == o);
        return new ImportStixResult(new StixImportResult
        {
            BundleId = content.Id,
            Imported = Count(IntelOutcome.Imported),
            Updated = Count(IntelOutcome.Updated),
            Unchanged = Count(IntelOutcome.Unchanged),
            Revoked = Count(IntelOutcome.Revoked),
            Skipped = content.SkippedTypes.Values.Sum() + skipped.Count,
            SkippedTypes = content.SkippedTypes,
            SkippedIndicators = skipped,
            Held = result.Held,
        }, result.Held);
    }

    private static string Truncate(string text) => text.Length <= MaxNameLength ? text : text[..MaxNameLength];
}

/// <summary>The export: this deployment's confirmed indicators as one STIX 2.1 bundle.</summary>
public sealed record ExportStix(string? Since) : IRequest<JsonObject>, IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Since is not null && !DateTimeOffset.TryParse(Since, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _))
        {
            errors.Add("since", "must be an RFC 3339 timestamp such as 2026-03-01T00:00:00Z");
        }
    }
}

public sealed class ExportStixHandler(IGrainFactory grains, IPolicyCache policies, IOptions<IntelOptions> options) : IRequestHandler<ExportStix, JsonObject>
{
    public async ValueTask<JsonObject> Handle(ExportStix request, CancellationToken cancellationToken)
    {
        DateTimeOffset? since = request.Since is null ? null
            : DateTimeOffset.Parse(request.Since, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        var export = await grains.GetGrain<IIntelGrain>(IntelGrain.Key).GetExportAsync(since, policies.Current.Intel.ExportThreshold);
        var ns = StixIds.UuidOf(export.Identity.Id);
        var indicators = export.Indicators.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => new ExportedIndicator
        {
            // The same entity keeps its id across exports (a new generation after a revocation).
            Id = StixIds.Deterministic("indicator", ns, $"{i.Key}#{i.Generation}"),
            Targets = [.. i.Values.Select(v => v.Target)],
            Created = i.Created,
            Modified = i.Modified,
            ValidFrom = i.Created,
            ValidUntil = i.ValidUntil is { } until && until > i.Created ? until : null,
            Confidence = i.Confidence,
            Revoked = i.Revoked,
            Name = $"{Describe(i.Key)}: {i.Reason}",
            Campaign = i.CampaignId,
        });
        return StixBundleWriter.Write(new StixProducer(export.Identity.Id, options.Value.ProducerName, export.Identity.Created), indicators);
    }

    private static string Describe(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var kind = slash < 0 ? key : key[..slash];
        return kind switch
        {
            "ip-range" => $"IP range {key[(slash + 1)..]}",
            "payment-instrument" => "payment instrument",
            _ => "prompt template",
        };
    }
}
