using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Flows.Http;

/// <summary>
/// The outbound HTTP client of the <c>webhook_action</c> step, guarded against SSRF. The guard sits in the
/// connection itself: a <see cref="SocketsHttpHandler.ConnectCallback"/> resolves the host, refuses the call if any
/// resolved address is forbidden by <see cref="DestinationPolicy"/> and not permitted by the <see cref="AllowList"/>,
/// and then connects to the very addresses it checked, so a DNS answer that changes between a check and the connect
/// (DNS rebinding) cannot slip through. There is no proxy (it would connect for us), redirects are not followed (each
/// hop would be a new destination), and HTTP/3 is never used (QUIC does not go through the callback).
/// </summary>
/// <remarks>
/// One long-lived handler serves every call (register the caller as a singleton); pooled connections are recycled
/// every two minutes. Header values and bodies may hold secrets, so only the method, host, status, elapsed time and
/// failure are logged, never the URL's path or query.
/// </remarks>
public sealed partial class WebhookCaller : IDisposable
{
    /// <summary>Sent as <c>User-Agent</c> unless the request sets its own.</summary>
    public const string DefaultUserAgent = "ChatBoost-Webhook/1.0";

    private static readonly HashSet<string> Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    // Headers that would change how the message is framed or routed; the handler sets them itself.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer", "Proxy-Connection",
    };

    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private readonly ILogger<WebhookCaller> _logger;
    private readonly int _maxResponseBytes;
    private readonly TimeSpan _defaultTimeout;
    private readonly IReadOnlyList<string> _platformEntries;
    private readonly HttpClient _client;
    private readonly IOrganizationWebhookAllowList? _organizationAllowLists;

    // One client (so one connection pool) per distinct organization list: a connection opened under one
    // organization's allowance is never reused for a call another organization's list would refuse.
    private readonly ConcurrentDictionary<string, HttpClient> _organizationClients = new(StringComparer.Ordinal);

    /// <exception cref="ArgumentException">The options' allow list holds a bad entry, or a limit is not positive.</exception>
    /// <param name="organizationAllowLists">Where a request's organization entries come from (<see cref="WebhookRequest.BotId"/>);
    /// without it only the platform list applies.</param>
    public WebhookCaller(IOptions<WebhookCallerOptions> options, ILogger<WebhookCaller> logger, IOrganizationWebhookAllowList? organizationAllowLists = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var settings = options.Value;
        if (settings.MaxResponseBytes <= 0)
        {
            throw new ArgumentException($"WebhookCallerOptions.MaxResponseBytes must be positive, not {settings.MaxResponseBytes}.", nameof(options));
        }

        if (settings.DefaultTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"WebhookCallerOptions.DefaultTimeout must be positive, not {settings.DefaultTimeout}.", nameof(options));
        }

        _logger = logger;
        _maxResponseBytes = settings.MaxResponseBytes;
        _defaultTimeout = settings.DefaultTimeout;
        _platformEntries = [.. settings.AllowList];
        _client = CreateClient(AllowList.Parse(_platformEntries));
        _organizationAllowLists = organizationAllowLists;
    }

    private HttpClient CreateClient(AllowList allowList)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            // The size cap applies to the decompressed bytes, as they are read.
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            // A backstop only: each call's own timeout gives up waiting much sooner.
            ConnectTimeout = TimeSpan.FromSeconds(30),
            MaxResponseHeadersLength = 64,
            // Rendered placeholders (a contact's name) may be non-ASCII; send them as UTF-8 rather than failing.
            RequestHeaderEncodingSelector = static (_, _) => Encoding.UTF8,
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context, allowList, cancellationToken),
        };
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// The client for the request's organization: the shared one when it has no entries of its own (or none can be
    /// found: fewer destinations, never more), else one whose guard allows the platform's and the organization's.
    /// </summary>
    private async Task<HttpClient> ClientForAsync(WebhookRequest request)
    {
        if (request.BotId is not { } botId || _organizationAllowLists is null)
        {
            return _client;
        }

        IReadOnlyList<string> entries;
        try
        {
            entries = await _organizationAllowLists.EntriesForBotAsync(botId).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning("Webhook of bot {BotId}: its organization's allow-list could not be read ({Reason}); only the platform list applies", botId, e.Message);
            return _client;
        }

        if (entries.Count == 0)
        {
            return _client;
        }

        var combined = _platformEntries.Concat(entries).Select(e => e.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return _organizationClients.GetOrAdd(string.Join(",", combined), _ => CreateClient(AllowList.Parse(combined)));
    }


    /// <summary>
    /// Sends <paramref name="request"/> and reads the answer (up to <see cref="WebhookCallerOptions.MaxResponseBytes"/>)
    /// within the request's timeout. Never throws for a bad URL, a refused destination, or a network or HTTP problem:
    /// those are failure results.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<WebhookCallResult> CallAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var started = Stopwatch.GetTimestamp();
        var method = request.Method?.Trim().ToUpperInvariant() ?? "";
        var result = CheckUrl(request.Url, out var uri);
        var host = uri?.IdnHost ?? "(invalid URL)";
        if (result is null && !Methods.Contains(method))
        {
            result = WebhookCallResult.Failed(WebhookFailureKind.InvalidRequest,
                "the method must be one of GET, POST, PUT, PATCH, DELETE");
            method = "(invalid)";
        }

        if (result is null)
        {
            using var message = BuildMessage(request, method, uri!, out var problem);
            result = message is null
                ? WebhookCallResult.Failed(WebhookFailureKind.InvalidRequest, problem!)
                : await SendAsync(await ClientForAsync(request).ConfigureAwait(false), message, host, request.Timeout > TimeSpan.Zero ? request.Timeout : _defaultTimeout, cancellationToken)
                    .ConfigureAwait(false);
        }

        Log(method, host, result, Stopwatch.GetElapsedTime(started));
        return result;
    }

    public void Dispose()
    {
        _client.Dispose();
        foreach (var client in _organizationClients.Values)
        {
            client.Dispose();
        }
    }

    private async Task<WebhookCallResult> SendAsync(HttpClient client, HttpRequestMessage message, string host, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token)
                .ConfigureAwait(false);
            return await ReadAsync(response, host, timeoutSource.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException or SocketException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The webhook call was cancelled.", e, cancellationToken);
            }

            if (timeoutSource.IsCancellationRequested)
            {
                return WebhookCallResult.Failed(WebhookFailureKind.Timeout, $"timed out after {Seconds(timeout)} s");
            }

            if (Find<DestinationRefusedException>(e) is { } refused)
            {
                return WebhookCallResult.Failed(WebhookFailureKind.DestinationRefused, refused.Message);
            }

            return WebhookCallResult.Failed(WebhookFailureKind.NetworkError, $"network error calling {host}: {Describe(e)}");
        }
    }

    private async Task<WebhookCallResult> ReadAsync(HttpResponseMessage response, string host, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (status is >= 300 and < 400)
        {
            return WebhookCallResult.Failed(WebhookFailureKind.HttpStatus, $"HTTP {status} from {host}: redirects are not followed", status);
        }

        if (status is < 200 or >= 300)
        {
            return WebhookCallResult.Failed(WebhookFailureKind.HttpStatus, $"HTTP {status} from {host}", status);
        }

        var tooLarge = $"the response is larger than {_maxResponseBytes} bytes";
        var declared = response.Content.Headers.ContentLength;
        if (declared > _maxResponseBytes)
        {
            return WebhookCallResult.Failed(WebhookFailureKind.ResponseTooLarge, tooLarge, status);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var body = new MemoryStream((int)Math.Min(declared ?? 4096, _maxResponseBytes));
            var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (body.Length + read > _maxResponseBytes)
                    {
                        return WebhookCallResult.Failed(WebhookFailureKind.ResponseTooLarge, tooLarge, status);
                    }

                    body.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            return WebhookCallResult.Success(status, ParseBody(body.GetBuffer().AsSpan(0, (int)body.Length), response.Content.Headers.ContentType?.CharSet));
        }
    }

    /// <summary>The body as JSON when it is valid JSON (any value), else its text as a JSON string.</summary>
    internal static JsonElement ParseBody(ReadOnlySpan<byte> bytes, string? charset)
    {
        var text = Decode(bytes, charset);
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        if (!string.IsNullOrWhiteSpace(text))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not JSON: kept as text below.
            }
        }

        return JsonSerializer.SerializeToElement(text);
    }

    private static string Decode(ReadOnlySpan<byte> bytes, string? charset)
    {
        var encoding = Encoding.UTF8;
        if (!string.IsNullOrWhiteSpace(charset))
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Trim().Trim('"'));
            }
            catch (ArgumentException)
            {
                // An unknown charset: read it as UTF-8.
            }
        }

        return encoding.GetString(bytes);
    }

    private static WebhookCallResult? CheckUrl(string? url, out Uri? uri)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var parsed))
        {
            return WebhookCallResult.Failed(WebhookFailureKind.InvalidUrl, "the URL is not an absolute http:// or https:// URL");
        }

        if (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps)
        {
            return WebhookCallResult.Failed(WebhookFailureKind.InvalidUrl, $"the URL scheme '{parsed.Scheme}' is not allowed; only http and https are");
        }

        if (!string.IsNullOrEmpty(parsed.UserInfo))
        {
            return WebhookCallResult.Failed(WebhookFailureKind.InvalidUrl, "the URL must not hold user information (user:password@); send credentials in a header");
        }

        if (string.IsNullOrEmpty(parsed.IdnHost))
        {
            return WebhookCallResult.Failed(WebhookFailureKind.InvalidUrl, "the URL has no host");
        }

        uri = parsed;
        return null;
    }

    private static HttpRequestMessage? BuildMessage(WebhookRequest request, string method, Uri uri, out string? problem)
    {
        var message = new HttpRequestMessage(new HttpMethod(method), uri)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        if (request.JsonBody is not null)
        {
            // StringContent sets "application/json; charset=utf-8".
            message.Content = new StringContent(request.JsonBody, Encoding.UTF8, "application/json");
        }

        var userAgentGiven = false;
        foreach (var (name, value) in request.Headers ?? [])
        {
            problem = CheckHeader(name, value);
            if (problem is null && !AddHeader(message, name, value))
            {
                problem = $"header '{name}' cannot be sent";
            }

            if (problem is not null)
            {
                message.Dispose();
                return null;
            }

            userAgentGiven |= string.Equals(name, "User-Agent", StringComparison.OrdinalIgnoreCase);
        }

        if (!userAgentGiven)
        {
            message.Headers.TryAddWithoutValidation("User-Agent", DefaultUserAgent);
        }

        problem = null;
        return message;
    }

    private static string? CheckHeader(string? name, string? value)
    {
        if (string.IsNullOrEmpty(name) || name.AsSpan().ContainsAnyExcept(TokenChars))
        {
            return "a header name is empty or holds characters not allowed in a header name";
        }

        if (ReservedHeaders.Contains(name))
        {
            return $"header '{name}' is set by the HTTP client and cannot be given";
        }

        if (value is null || value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            return $"the value of header '{name}' holds a line break (or is missing)";
        }

        return null;
    }

    /// <summary>Adds a request header, or a content header (Content-Type, ...) to the body; without a body a content header is dropped.</summary>
    private static bool AddHeader(HttpRequestMessage message, string name, string value)
    {
        if (message.Headers.TryAddWithoutValidation(name, value))
        {
            return true;
        }

        if (message.Content is { } content)
        {
            content.Headers.Remove(name);
            return content.Headers.TryAddWithoutValidation(name, value);
        }

        using var probe = new ByteArrayContent([]);
        return probe.Headers.TryAddWithoutValidation(name, value);
    }

    /// <summary>
    /// The connect step of every new connection: resolve, check every address, connect to a checked address.
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, AllowList allowList, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var port = context.DnsEndPoint.Port;
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        IPAddress[] addresses = IPAddress.TryParse(literal, out var address)
            ? [address]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        CheckDestination(allowList, host, port, addresses, address is null);

        Exception? failure = null;
        foreach (var candidate in addresses)
        {
            // ::ffff:a.b.c.d was judged as a.b.c.d; connect to it as such (an IPv6 socket may refuse mapped addresses).
            var target = candidate.IsIPv4MappedToIPv6 ? candidate.MapToIPv4() : candidate;
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(target, port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                failure = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw failure!;
    }

    /// <summary>Throws <see cref="DestinationRefusedException"/> unless every address may be connected to.</summary>
    private static void CheckDestination(AllowList allowList, string host, int port, IPAddress[] addresses, bool resolved)
    {
        foreach (var address in addresses)
        {
            if (DestinationPolicy.IsForbidden(address, out var reason) && !allowList.Allows(address, port))
            {
                throw new DestinationRefusedException(resolved
                    ? $"destination refused: {reason} (resolved from {host})"
                    : $"destination refused: {reason}");
            }
        }
    }

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The message of the exception, or of the inner one it refers to ("... see inner exception").</summary>
    private static string Describe(Exception exception)
    {
        while (exception.InnerException is { } inner && exception.Message.Contains("inner exception", StringComparison.OrdinalIgnoreCase))
        {
            exception = inner;
        }

        return exception.Message;
    }

    private static string Seconds(TimeSpan timeout) => timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private void Log(string method, string host, WebhookCallResult result, TimeSpan elapsed)
    {
        var milliseconds = (long)elapsed.TotalMilliseconds;
        if (result.IsSuccess)
        {
            LogSucceeded(_logger, method, host, result.StatusCode, milliseconds);
        }
        else if (result.Failure == WebhookFailureKind.DestinationRefused)
        {
            LogRefused(_logger, method, host, result.Error, milliseconds);
        }
        else
        {
            LogFailed(_logger, method, host, result.Failure, result.StatusCode, result.Error, milliseconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook {Method} {Host} answered HTTP {Status} in {ElapsedMs} ms")]
    private static partial void LogSucceeded(ILogger logger, string method, string host, int? status, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Method} {Host} refused by the SSRF guard after {ElapsedMs} ms: {Error}")]
    private static partial void LogRefused(ILogger logger, string method, string host, string? error, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {Method} {Host} failed: {Kind} (HTTP {Status}) after {ElapsedMs} ms: {Error}")]
    private static partial void LogFailed(ILogger logger, string method, string host, WebhookFailureKind? kind, int? status, string? error, long elapsedMs);
}
