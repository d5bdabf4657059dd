/// What the access control decided for one packet, handed to the broker with it: whether a PUBLISH may be routed,
/// and which filters of a SUBSCRIBE may be subscribed to (in the packet's order).
public struct MQTTAccessVerdict: Sendable, Equatable {
    public var publishAllowed: Bool
    /// One answer per filter of a SUBSCRIBE; empty allows every filter.
    public var filtersAllowed: [Bool]

    public init(publishAllowed: Bool = true, filtersAllowed: [Bool] = []) {
        self.publishAllowed = publishAllowed
        self.filtersAllowed = filtersAllowed
    }

    public static let allowed = MQTTAccessVerdict()

    func allows(filterAt index: Int) -> Bool {
        index < filtersAllowed.count ? filtersAllowed[index] : true
    }
}
