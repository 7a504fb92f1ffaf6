/// A set that holds a single element without allocating: most hosts are named by one Ingress and most Services
/// are used by one, and a `Set` of one element costs several times the element's size.
struct CompactSet<Element: Hashable & Sendable>: Sendable, Sequence, ExpressibleByArrayLiteral {
    /// The elements.
    private enum Storage: Sendable {
        case none
        case one(Element)
        /// Two or more.
        case many(Set<Element>)
    }

    private var storage = Storage.none

    /// A set of `elements`.
    init(arrayLiteral elements: Element...) {
        for element in elements { insert(element) }
    }

    /// Whether there are no elements.
    var isEmpty: Bool {
        if case .none = storage { return true }
        return false
    }

    /// How many elements there are.
    var count: Int {
        switch storage {
        case .none: 0
        case .one: 1
        case .many(let set): set.count
        }
    }

    /// Adds `element` (once).
    mutating func insert(_ element: Element) {
        switch storage {
        case .none: storage = .one(element)
        case .one(let only): if only != element { storage = .many([only, element]) }
        case .many(var set):
            storage = .none  // unshares `set` while it is edited
            set.insert(element)
            storage = .many(set)
        }
    }

    /// Removes `element` if present.
    mutating func remove(_ element: Element) {
        switch storage {
        case .none: return
        case .one(let only): if only == element { storage = .none }
        case .many(var set):
            storage = .none
            set.remove(element)
            if set.count == 1, let only = set.first { storage = .one(only) } else { storage = .many(set) }
        }
    }

    /// Iterates over the elements, in no particular order.
    struct Iterator: IteratorProtocol {
        fileprivate var single: Element?
        fileprivate var rest: Set<Element>.Iterator?

        /// The next element.
        mutating func next() -> Element? {
            if let element = single {
                single = nil
                return element
            }
            return rest?.next()
        }
    }

    /// An iterator over the elements.
    func makeIterator() -> Iterator {
        switch storage {
        case .none: Iterator(single: nil, rest: nil)
        case .one(let only): Iterator(single: only, rest: nil)
        case .many(let set): Iterator(single: nil, rest: set.makeIterator())
        }
    }
}
