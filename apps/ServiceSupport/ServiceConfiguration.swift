/// Settings of a suite service (`<product> serve`): where it listens, how long and how many
/// connections it keeps, and its request limits. Durations are `Duration`s; the command-line
/// flags give seconds.
public struct ServiceConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port; `onServerRunning` is told which.
    public var port = 8080
    /// HTTPS with these when set, plain HTTP otherwise.
    public var tls: TLSCredentials?
    /// Time a new connection has to deliver its first complete request head (`--header-timeout`).
    public var headerTimeout: Duration = .seconds(10)
    /// Time a connection may go without progress (`--idle-timeout`): kept alive with no request
    /// in flight, or with a request whose head or body stopped arriving.
    public var idleTimeout: Duration = .seconds(60)
    /// Connections one client IP address may hold open (`--max-connections-per-client`); more
    /// are closed at once.
    public var maximumConnectionsPerClient = 64
    /// Largest accepted request body, in bytes (`--max-body`).
    public var maximumBodyBytes = 64 * 1024
    /// Requests per minute and token (`--rate`).
    public var requestsPerMinute = 600
    /// Workers and queue limit of the inference executor.
    public var executor = InferenceExecutor.Configuration()
    /// Refused authentications are audited at most once per client, token and this many seconds,
    /// each entry counting the refusals since the last.
    public var refusalAuditIntervalSeconds = 60

    public init() {}

    /// `http://host:port` or `https://…`, IPv6 hosts bracketed.
    public func url(port boundPort: Int? = nil) -> String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "\(tls == nil ? "http" : "https")://\(host):\(boundPort ?? port)"
    }
}
