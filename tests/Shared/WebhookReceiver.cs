using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reputation.Testing;

/// <summary>One request a <see cref="WebhookReceiver"/> was sent, as it arrived.</summary>
internal sealed record ReceivedDelivery(string? DeliveryId, string? Timestamp, string? Signature, string? ContentType, string Body);

/// <summary>
/// A webhook receiver on a loopback port of its own (a real listener: the service delivers over
/// HTTP). While stopped, nothing listens on the port (connections are refused); it can start again
/// on the same port.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedDelivery> _received = new();
    private HttpListener? _listener;
    private Task? _loop;

    public WebhookReceiver(int? port = null)
    {
        Port = port ?? FreePort();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hooks/";

    public IReadOnlyList<ReceivedDelivery> Received => [.. _received];

    /// <summary>
    /// While set, a request is recorded as received but not answered until the task completes: an
    /// attempt the test keeps in flight.
    /// </summary>
    public Task? HoldAnswers { get; set; }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public WebhookReceiver Start()
    {
        var listener = new HttpListener();
        listener.Prefixes.Add(Url);
        listener.Start();
        _listener = listener;
        _loop = Task.Run(() => ServeAsync(listener));
        return this;
    }

    private async Task ServeAsync(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                var body = await reader.ReadToEndAsync();
                _received.Enqueue(new ReceivedDelivery(
                    context.Request.Headers["X-Reputation-Delivery"], context.Request.Headers["X-Reputation-Timestamp"],
                    context.Request.Headers["X-Reputation-Signature"], context.Request.ContentType, body));
            }

            if (HoldAnswers is { } hold)
            {
                await hold;
            }

            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }

    public async Task StopAsync()
    {
        if (_listener is { } listener)
        {
            _listener = null;
            listener.Stop();
            listener.Close();
            if (_loop is { } loop)
            {
                await loop;
            }
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
