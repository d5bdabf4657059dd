/// How a plug-in runs: what Extism keeps in a manifest beside the module (config, allowed hosts, limits) plus the
/// host's side of the link (host functions, the HTTP client, where log lines go).
public struct PluginOptions: Sendable {
    /// Read by the plug-in with `config_get`. Fixed for the plug-in's lifetime, as in Extism.
    public var config: [String: String]
    public var limits: PluginLimits
    /// Lines below this level are not logged (and `get_log_level` tells the plug-in, so PDKs skip formatting them).
    public var logLevel: PluginLogLevel
    /// Receives every log line, on the guest's thread, as it is written; `nil` drops them. Keep it quick.
    public var logHandler: (@Sendable (PluginLogEntry) -> Void)?
    /// Hosts `http_request` may reach, Extism's `allowed_hosts` (globs such as `*.example.com`); enforced by the
    /// HTTP client.
    public var allowedHosts: [String]
    /// Who sends `http_request`s: by default nobody (``RefusingPluginHTTPClient``).
    public var httpClient: any PluginHTTPClient
    /// Functions the plug-in may import beside Extism's own (`extism:host/user`, unless a function names another
    /// module).
    public var hostFunctions: [UserHostFunction]
    /// How many idle instances ``FunctionRuntime`` keeps to answer later calls warm (0: every call gets a new
    /// instance). A warm instance keeps its linear memory (globals, static data, what its allocator holds) from
    /// call to call, as an Extism `Plugin` does; Extism memory is emptied before each call. An instance that
    /// failed is never reused.
    public var warmInstances: Int
    /// How many fresh instances ``FunctionRuntime`` keeps ready for cold calls: instantiated, every function
    /// translated and the guest runtime initialised ahead of time, so that a cold call pays only for running. Each
    /// serves one call as a new instance would (no state from an earlier call); the runtime makes the next one on a
    /// guest thread after answering. Preparing translates *every* function of the module (a cold call otherwise
    /// translates only those it runs), so it suits small plug-ins; 0 (the default) makes cold instances on the call
    /// path.
    public var preparedInstances: Int
    /// How many calls of the plug-in ``FunctionRuntime`` runs at once; more wait in line (their timeout counting)
    /// and run as earlier ones finish. `nil` (the default): no bound but the runtime's threads.
    public var maxConcurrentCalls: Int?

    public init(
        config: [String: String] = [:],
        limits: PluginLimits = PluginLimits(),
        logLevel: PluginLogLevel = .info,
        logHandler: (@Sendable (PluginLogEntry) -> Void)? = nil,
        allowedHosts: [String] = [],
        httpClient: any PluginHTTPClient = RefusingPluginHTTPClient(),
        hostFunctions: [UserHostFunction] = [],
        warmInstances: Int = 0,
        preparedInstances: Int = 0,
        maxConcurrentCalls: Int? = nil
    ) {
        self.config = config
        self.limits = limits
        self.logLevel = logLevel
        self.logHandler = logHandler
        self.allowedHosts = allowedHosts
        self.httpClient = httpClient
        self.hostFunctions = hostFunctions
        self.warmInstances = warmInstances
        self.preparedInstances = preparedInstances
        self.maxConcurrentCalls = maxConcurrentCalls
    }
}
