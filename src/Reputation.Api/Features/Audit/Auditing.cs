using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Reputation.Api.Errors;
using Reputation.Grains;

namespace Reputation.Api.Features.Audit;

/// <summary>
/// What an audited endpoint knows about its call, filled by the endpoint or its handler (one per
/// request): the target, and for a change what it looked like before and after, as the API shows
/// them (serialised with the API's JSON options).
/// </summary>
public sealed class AuditContext
{
    public string? Target { get; set; }

    public object? Before { get; set; }

    public object? After { get; set; }
}

/// <summary>Endpoint metadata: calls to this endpoint are recorded in the audit log under this action.</summary>
public sealed record AuditedMetadata(string Action);

public static class AuditEndpointExtensions
{
    /// <summary>
    /// Records every call of the endpoint (or group) in the audit log after its handler ran, with
    /// the status it is answered with. Calls refused by authentication or authorisation never reach
    /// it. If the record cannot be written the call is answered 503.
    /// </summary>
    public static TBuilder Audited<TBuilder>(this TBuilder builder, string action) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AuditedMetadata(action)).AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            // A union (Results<NoContent, ProblemHttpResult>) carries its status on the result it holds.
            var answered = result is INestedHttpResult nested ? nested.Result : result;
            var status = answered is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
            await context.HttpContext.RequestServices.GetRequiredService<AuditRecorder>().RecordAsync(context.HttpContext, status);
            return result;
        });

    /// <summary>
    /// Records audited calls that fail with an exception — validation in the handler, but also
    /// bodies that do not bind, before any endpoint filter runs — with the status the exception is
    /// answered with. Goes after authorisation, so 401 and 403 are not recorded.
    /// </summary>
    public static IApplicationBuilder UseAuditOfRejectedCalls(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            catch (Exception ex) when (ex is not AuditUnavailableException
                && !http.RequestAborted.IsCancellationRequested
                && http.GetEndpoint()?.Metadata.GetMetadata<AuditedMetadata>() is not null)
            {
                await http.RequestServices.GetRequiredService<AuditRecorder>().RecordAsync(http, ProblemExceptionHandler.StatusFor(ex));
                throw;
            }
        });
}

/// <summary>Writes one audit record for the current call; any failure becomes <see cref="AuditUnavailableException"/> (503).</summary>
public sealed class AuditRecorder(IGrainFactory grains, ReputationClock time, IOptions<JsonOptions> json)
{
    public async Task RecordAsync(HttpContext http, int status)
    {
        ArgumentNullException.ThrowIfNull(http);
        var action = http.GetEndpoint()?.Metadata.GetMetadata<AuditedMetadata>()?.Action ?? "unknown";
        var audit = http.RequestServices.GetRequiredService<AuditContext>();
        var entry = new AuditEntry
        {
            At = time.UtcNow,
            KeyName = http.User.Identity?.Name ?? "unknown",
            Action = action,
            Target = audit.Target,
            Status = status,
            Before = Serialise(audit.Before),
            After = Serialise(audit.After),
        };
        try
        {
            await grains.GetGrain<IAuditLogGrain>(IAuditLogGrain.Key).AppendAsync(entry);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
        {
            throw new AuditUnavailableException(ex);
        }
    }

    private string? Serialise(object? value) =>
        value is null ? null : JsonSerializer.Serialize(value, value.GetType(), json.Value.SerializerOptions);
}
