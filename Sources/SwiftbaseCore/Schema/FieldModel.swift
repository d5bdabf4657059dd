/// One field of a collection: the keys every field has, plus its type's options.
///
/// The JSON form is PocketBase's current `fields` format: common keys (`id`, `name`, `type`, `system`,
/// `hidden`, `presentable`, `required`) with the type's option keys beside them at the same level.
public struct FieldModel: Sendable, Equatable {
    public var id: String
    public var name: String
    public var system: Bool
    public var hidden: Bool
    public var presentable: Bool
    public var required: Bool
    /// Help text shown in the dashboard (≤ 300 chars). Not serialized for `autodate`.
    public var help: String
    public var options: FieldOptions

    public init(
        id: String = "", name: String, system: Bool = false, hidden: Bool = false, presentable: Bool = false,
        required: Bool = false, help: String = "", options: FieldOptions
    ) {
        self.id = id
        self.name = name
        self.system = system
        self.hidden = hidden
        self.presentable = presentable
        self.required = required
        self.help = help
        self.options = options
    }

    /// PocketBase's type name: `text`, `number`, `relation`…
    public var type: String { options.typeName }

    /// True when the stored value is a JSON array (multi select, multi relation, multi file).
    public var isMultiple: Bool {
        switch options {
        case .select(let o): o.maxSelect > 1
        case .relation(let o): o.maxSelect > 1
        case .file(let o): o.maxSelect > 1
        default: false
        }
    }
}
