import Prometheus
import SwiftbaseFunctions
import Synchronization

/// Functions on `/api/metrics`: `swiftbase_function_invocations_total{function,trigger,outcome}`,
/// `swiftbase_function_errors_total{function}` (failed and timed-out calls),
/// `swiftbase_function_duration_seconds{function}` (a histogram, waiting for a free slot included) and
/// `swiftbase_function_fuel_total{function}` (instructions used by calls that finished).
enum FunctionMetrics {
    static let buckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        .seconds(10),
    ]

    static var invocations: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "swiftbase", subsystem: "function", metricName: "invocations", unitName: "total",
            helpText: "Calls of each function, by trigger and outcome (success, error, timeout).")
    }
    static var errors: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "swiftbase", subsystem: "function", metricName: "errors", unitName: "total",
            helpText: "Calls of each function that failed or timed out.")
    }

    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "swiftbase", subsystem: "function", metricName: "duration", unitName: "seconds",
            helpText: "How long calls of each function took, waiting for a free slot included.")
    }
    static var fuel: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "swiftbase", subsystem: "function", metricName: "fuel", unitName: "total",
            helpText: "Instructions (WasmKit fuel) used by the calls of each function that finished.")
    }

    /// The handles one function's calls from one trigger update, made once: a registry lookup builds label
    /// strings and takes the registry's lock, which is most of the cost of counting a call of a few microseconds.
    private struct Handles: Sendable {
        let invocations: [FunctionCallReport.Outcome: Counter]
        let errors: Counter
        let duration: DurationHistogram
        let fuel: Counter
    }

    private struct Key: Hashable {
        let function: String
        let trigger: String
    }

    static func observer(registry: PrometheusCollectorRegistry) -> WasmFunctionEngine.Observer {
        let cache = Mutex<[Key: Handles]>([:])
        return { function, report in
            let key = Key(function: function, trigger: report.trigger)
            let handles = cache.withLock { cache in
                if let known = cache[key] { return known }
                let outcomes: [FunctionCallReport.Outcome] = [.success, .error, .timeout]
                let made = Handles(
                    invocations: Dictionary(
                        uniqueKeysWithValues: outcomes.map { outcome in
                            (
                                outcome,
                                registry.makeCounter(
                                    descriptor: invocations,
                                    labels: [("function", function), ("trigger", report.trigger), ("outcome", outcome.rawValue)])
                            )
                        }),
                    errors: registry.makeCounter(descriptor: errors, labels: [("function", function)]),
                    duration: registry.makeDurationHistogram(
                        descriptor: duration, labels: [("function", function)], buckets: buckets),
                    fuel: registry.makeCounter(descriptor: fuel, labels: [("function", function)]))
                cache[key] = made
                return made
            }
            handles.invocations[report.outcome]?.increment()
            if report.outcome != .success { handles.errors.increment() }
            handles.duration.record(report.duration)
            if report.fuel > 0 { handles.fuel.increment(by: Int64(clamping: report.fuel)) }
        }
    }
}
