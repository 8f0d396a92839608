import Hummingbird

extension Router {
    /// The methods a path may be asked for that get a 405 when the path lacks them.
    static var answeredMethods: [HTTPRequest.Method] { [.get, .head, .post, .put, .patch, .delete, .options] }

    /// For every path that has routes, answers the methods of `answeredMethods` it lacks with
    /// 405 `method_not_allowed` and an `Allow` header listing the ones it has — `HEAD` wherever
    /// `GET` is, as the router is built with `.autoGenerateHeadEndpoints` (Hummingbird itself
    /// answers 404). Call once, after the last route; these responses pass the router's
    /// middleware (logs, metrics under the route pattern, JSON errors) but no group's (no token
    /// needed to learn a path's methods, as a 404 tells which paths exist).
    func addMethodNotAllowedResponses() {
        let byPath = Dictionary(grouping: routes) { $0.path.description }
        for routes in byPath.values {
            let path = routes[0].path
            var methods = Set(routes.map(\.method))
            if methods.contains(.get) { methods.insert(.head) }
            let allowed = Self.answeredMethods.filter(methods.contains) + methods.filter { !Self.answeredMethods.contains($0) }
            let refusal = ServiceError.methodNotAllowed(allowed: allowed)
            for method in Self.answeredMethods where !methods.contains(method) {
                on(path, method: method) { _, _ -> Response in throw refusal }
            }
        }
    }
}
