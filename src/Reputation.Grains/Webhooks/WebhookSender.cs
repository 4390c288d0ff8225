using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Reputation.Core.Webhooks;

namespace Reputation.Grains.Webhooks;

/// <summary>What one attempt came to: delivered (2xx), or why not.</summary>
public readonly record struct SendResult(bool Delivered, int? StatusCode, string? Error);

/// <summary>
/// Sends one signed attempt. Its connections refuse loopback, link-local and unspecified addresses
/// (unless <see cref="WebhookSettings.AllowLocalTargets"/>), checked on the address actually
/// connected to, so a host name that resolves to one (or is made to) is refused too.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private readonly HttpClient _http;
    private readonly ReputationClock _time;

    public WebhookSender(WebhookSettings settings, ReputationClock time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _time = time;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = async (context, ct) =>
            {
                var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
                var allowed = settings.AllowLocalTargets ? addresses : [.. addresses.Where(a => !WebhookRules.IsForbidden(a))];
                if (allowed.Length == 0)
                {
                    throw new ForbiddenTargetException();
                }

                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { Timeout = settings.Timeout };
    }

    public async Task<SendResult> SendAsync(WebhookConfig config, WebhookDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(delivery);
        var timestamp = _time.WallNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, config.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(config.Secret, timestamp, delivery.Body));
        request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Reputation-Webhooks", "1"));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? new SendResult(true, status, null) : new SendResult(false, status, $"the receiver answered {status}");
        }
        catch (HttpRequestException ex) when (ex.InnerException is ForbiddenTargetException refused)
        {
            // Said as it is, so the delivery log shows why nothing reached the receiver.
            return new SendResult(false, null, refused.Message);
        }
        catch (HttpRequestException ex)
        {
            return new SendResult(false, null, ex.HttpRequestError == HttpRequestError.Unknown ? "the request failed" : $"the request failed: {ex.HttpRequestError}");
        }
        catch (TaskCanceledException)
        {
            return new SendResult(false, null, "no answer within the timeout");
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The connection was not made: every address of the target is one a webhook may not reach.</summary>
    private sealed class ForbiddenTargetException() : IOException(
        "refused: the target resolves only to loopback, link-local or unspecified addresses, which webhooks do not reach outside Development");
}
