import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOCore

extension HTTPServerBuilder {
    /// HTTP/1.1 as the suite's services run it: Hummingbird's idle timeout, then in every
    /// connection's pipeline the per-client connection limit and the first-request-head timeout,
    /// all over TLS when `configuration.tls` is set.
    /// - Parameter metrics: counts connections refused or timed out (`<prefix>_connections_closed_total`).
    static func service(_ configuration: ServiceConfiguration, metrics: ServiceMetrics?) -> HTTPServerBuilder {
        let limiter = ClientConnectionLimiter(maximumPerClient: configuration.maximumConnectionsPerClient)
        let headerTimeout = TimeAmount(configuration.headerTimeout)
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ClientConnectionLimitHandler(limiter: limiter, metrics: metrics),
                                        RequestHeadTimeoutHandler(timeout: headerTimeout, metrics: metrics)],
            idleTimeout: TimeAmount(configuration.idleTimeout))
        guard let tls = configuration.tls else { return .http1(configuration: http1) }
        return HTTPServerBuilder { responder in
            try TLSChannel(HTTP1Channel(responder: responder, configuration: http1), tlsConfiguration: tls.configuration)
        }
    }
}
