/// A JSON Pointer that evaluation extends at every subschema and renders only when an error
/// needs it: validating a large valid document builds no location strings at all.
final class Location: Sendable {
    enum Step: Sendable {
        /// An object member name, escaped when rendered.
        case key(String)
        case index(Int)
        /// A keyword, or a keyword and its member or index (`/properties/name`, `/allOf/2`).
        case keyword(String)
        case keywordKey(String, String)
        case keywordIndex(String, Int)
    }

    let parent: Location?
    let step: Step?

    static let root = Location(parent: nil, step: nil)

    private init(parent: Location?, step: Step?) {
        self.parent = parent
        self.step = step
    }

    func appending(_ step: Step) -> Location { Location(parent: self, step: step) }
    func appending(_ key: String) -> Location { Location(parent: self, step: .key(key)) }
    func appending(_ index: Int) -> Location { Location(parent: self, step: .index(index)) }

    var pointer: String {
        var steps: [Step] = []
        var node: Location? = self
        while let current = node, let step = current.step {
            steps.append(step)
            node = current.parent
        }
        var text = ""
        for step in steps.reversed() {
            switch step {
            case .key(let key): text += "/" + JSONPointer.escape(key)
            case .index(let index): text += "/" + String(index)
            case .keyword(let keyword): text += "/" + keyword
            case .keywordKey(let keyword, let key): text += "/" + keyword + "/" + JSONPointer.escape(key)
            case .keywordIndex(let keyword, let index): text += "/" + keyword + "/" + String(index)
            }
        }
        return text
    }
}
