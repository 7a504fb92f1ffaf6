import KubeModel

/// The standalone "API server": the objects of every manifest file, admitted the way the API server admits them.
/// A file that is not valid YAML keeps its last good objects; an object that fails decoding or validation is refused
/// and its last admitted version keeps serving; creation timestamps are stamped when an object is first seen.
/// Pure: the caller supplies file contents and the current time.
///
/// Admission is incremental: ``admit(now:)`` decides again only for the objects of the files updated or removed
/// since the last admission (an unchanged object keeps its previous verdict), and keeps the ``ClusterState`` up to
/// date object by object, so a change to one file among hundreds costs what that file holds. The outcome is the one
/// a full admission of every object would give (the tests compare both on random edit sequences).
public struct ManifestStore: Sendable {
    /// The objects of one file's last good decode, by identity: kept sorted in an array (8 bytes an object) rather
    /// than in a table keyed by identity (64 bytes a slot, most of it the key).
    private struct FileObjects: Sendable {
        /// One object per identity (the file's last definition of it), ordered by identity.
        private(set) var objects: [KubeObject]
        /// The identities the file defines more than once, with how often (reported); usually empty.
        let repeated: [ObjectRef: Int]

        init(_ list: [KubeObject]) {
            var last: [ObjectRef: Int] = [:]  // identity → position of its last definition
            last.reserveCapacity(list.count)
            var repeated: [ObjectRef: Int] = [:]
            for (position, object) in list.enumerated() {
                let ref = object.ref
                if last.updateValue(position, forKey: ref) != nil { repeated[ref, default: 1] += 1 }
            }
            objects = last.sorted { $0.key < $1.key }.map { list[$0.value] }
            self.repeated = repeated
        }

        /// The identities, in order.
        var refs: [ObjectRef] { objects.map(\.ref) }

        /// Where the object `ref` is, or belongs, in ``objects``.
        private func position(of ref: ObjectRef) -> Int {
            var low = 0
            var high = objects.count
            while low < high {
                let middle = (low + high) / 2
                if objects[middle].ref < ref { low = middle + 1 } else { high = middle }
            }
            return low
        }

        /// The file's object `ref` and how often the file defines it; nil when it does not.
        func object(_ ref: ObjectRef) -> (object: KubeObject, definitions: Int)? {
            let index = position(of: ref)
            guard index < objects.count, objects[index].ref == ref else { return nil }
            return (objects[index], repeated[ref] ?? 1)
        }

        /// Replaces the object at `index` of ``objects`` by an equivalent one (same identity).
        mutating func replace(at index: Int, with object: KubeObject) {
            objects[index] = object
        }
    }

    /// The files defining one object, in path order: a single file (the usual case) is held without an array.
    private enum DefiningFiles: Sendable {
        case one(String)
        /// Two or more, sorted.
        case many([String])

        /// Adds `path` at its place.
        mutating func insert(_ path: String) {
            switch self {
            case .one(let only): self = .many(only <= path ? [only, path] : [path, only])
            case .many(var paths):
                self = .one("")  // unshares `paths` while it is edited
                paths.insertSorted(path)
                self = .many(paths)
            }
        }

        /// Removes every occurrence of `path`; nil when no file is left.
        func removing(_ path: String) -> DefiningFiles? {
            switch self {
            case .one(let only): return only == path ? nil : self
            case .many(var paths):
                paths.removeAll { $0 == path }
                switch paths.count {
                case 0: return nil
                case 1: return .one(paths[0])
                default: return .many(paths)
                }
            }
        }

        /// The paths, in order.
        func forEach(_ body: (String) -> Void) {
            switch self {
            case .one(let only): body(only)
            case .many(let paths): paths.forEach(body)
            }
        }
    }

    /// The last good decode of each file.
    private var files: [String: FileObjects] = [:]
    /// Each file's decoded documents by text, so that an edit parses only the documents it changed.
    private var documentCaches: [String: ManifestDocumentCache] = [:]
    /// File-level problems (syntax errors) by file; files without any have no entry (with a file per object, an
    /// entry for every file would make these tables a few hundred kilobytes each).
    private var fileIssues: [String: [ConfigIssue]] = [:]
    /// Object-level problems from decoding, by file; files without any have no entry.
    private var decodeIssues: [String: [ConfigIssue]] = [:]
    /// Objects that failed decoding, by file; files without any have no entry.
    private var failedRefs: [String: [ObjectRef]] = [:]
    /// What the store keeps of one object, in one table for both (the identities are most of its size).
    private struct Record: Sendable {
        /// The files defining it, sorted (the last one's version is the object's); nil when none does.
        var files: DefiningFiles?
        /// Its last admitted version. Its creationTimestamp is the one every later version gets: the API server
        /// never changes an object's creationTimestamp after creating it.
        var admitted: KubeObject?
    }

    /// ``Record``s by identity: a table per kind, keyed by namespace and name. In one table keyed by identity,
    /// the kind would be 16 of every slot's 80 bytes, and 31,000 records (10,000 Ingresses with their Services
    /// and EndpointSlices) would need 65,536 slots: 5.2 MB, against 3.3 MB for a table per kind.
    private struct RecordTable: Sendable {
        /// An object's namespace and name.
        private struct Name: Hashable, Sendable {
            var namespace: String?
            var name: String
        }

        private var tables: [String: [Name: Record]] = [:]

        /// The record of `ref`; nil when it has none.
        subscript(ref: ObjectRef) -> Record? {
            get { tables[ref.kind]?[Name(namespace: ref.namespace, name: ref.name)] }
            set { tables[ref.kind, default: [:]][Name(namespace: ref.namespace, name: ref.name)] = newValue }
        }
    }

    /// By identity; an object neither defined nor admitted has no record.
    private var records = RecordTable()
    /// How many objects are admitted.
    private var admittedCount = 0
    /// The files in which each object failed to decode.
    private var failedIn: [ObjectRef: Set<String>] = [:]
    /// The problems of each object found by the last admission that decided about it (validation, duplicates,
    /// decoding failures with a version still serving); objects without problems have no entry.
    private var objectIssues: [ObjectRef: [ConfigIssue]] = [:]
    /// Objects to decide about again at the next admission (their files changed).
    private var pending: Set<ObjectRef> = []
    /// Files updated since the last admission (their decoded objects are replaced by the admitted versions).
    private var updatedPaths: Set<String> = []
    /// The admitted objects, indexed for the builder, kept up to date by each admission.
    private var state = ClusterState()

    /// An empty store.
    public init() {}

    /// The files currently known.
    public var paths: [String] { files.keys.sorted() }

    /// Replaces the contents of one file.
    public mutating func update(path: String, text: String) {
        let result = ManifestDecoder.decode(text, source: path, cache: &documentCaches[path, default: ManifestDocumentCache()])
        if result.syntaxError {
            var issues = result.issues
            if files[path] != nil {
                issues = issues.map {
                    var issue = $0
                    issue.message += "; still serving the file's last good version"
                    return issue
                }
            }
            fileIssues[path] = issues
            return
        }
        forgetObjects(of: path)
        let objects = FileObjects(result.objects)
        for ref in objects.refs {
            var record = records[ref] ?? Record()
            if record.files?.insert(path) == nil { record.files = .one(path) }
            records[ref] = record
            pending.insert(ref)
        }
        for ref in result.failedRefs {
            failedIn[ref, default: []].insert(path)
            pending.insert(ref)
        }
        files[path] = objects
        updatedPaths.insert(path)
        fileIssues[path] = nil
        decodeIssues[path] = result.issues.isEmpty ? nil : result.issues
        failedRefs[path] = result.failedRefs.isEmpty ? nil : result.failedRefs
    }

    /// Forgets a deleted file (its objects are deleted too).
    public mutating func remove(path: String) {
        forgetObjects(of: path)
        files[path] = nil
        documentCaches[path] = nil
        fileIssues[path] = nil
        decodeIssues[path] = nil
        failedRefs[path] = nil
    }

    /// Drops the file's objects and decoding failures from the indexes and marks them for the next admission.
    private mutating func forgetObjects(of path: String) {
        for ref in files[path]?.refs ?? [] {
            let remaining = records[ref]?.files?.removing(path)
            records[ref]?.files = remaining
            pending.insert(ref)
        }
        for ref in failedRefs[path] ?? [] {
            failedIn[ref]?.remove(path)
            if failedIn[ref]?.isEmpty == true { failedIn[ref] = nil }
            pending.insert(ref)
        }
    }

    /// Admits the current objects and returns the state to build from. `now` is an RFC 3339 time.
    public mutating func admit(now: String) -> ClusterState {
        // The builder saw the state as the last admission left it: only this admission's changes are news to it.
        state.forgetEarlierChanges()
        for ref in pending { decide(ref, now: now) }
        pending = []  // not kept at the size of the first admission (every object)
        // Changes to most objects (the first admission, above all) are cheaper to rebuild from than to list.
        if state.journal.count > admittedCount / 2 { state.forgetAllChanges() }
        for path in updatedPaths { shareAdmittedVersions(of: path) }
        updatedPaths = []
        var issues: [ConfigIssue] = []
        // A file broken since it first appeared has problems but no objects: reported too.
        for fileProblems in fileIssues.values { issues += fileProblems }
        for decodeProblems in decodeIssues.values { issues += decodeProblems }
        for objectProblems in objectIssues.values { issues += objectProblems }
        issues.sort()
        state.admissionIssues = issues
        return state
    }

    /// Makes the file's decoded objects, and its document cache's, the admitted boxes where those are the same
    /// objects with their creation time stamped: otherwise every object would be kept twice, once as decoded and
    /// once as admitted. Invisible to admission: an object's creation time comes from its admitted version.
    private mutating func shareAdmittedVersions(of path: String) {
        guard var file = files[path] else { return }
        files[path] = nil  // unshared while edited
        var decoded: [ObjectRef: KubeObject] = [:]
        for index in file.objects.indices {
            let object = file.objects[index]
            let ref = object.ref
            guard let admitted = records[ref]?.admitted else { continue }
            var stamped = object
            let stamp = admitted.metadata.creationTimestamp
            if stamped.metadata.creationTimestamp != stamp { stamped.metadata.creationTimestamp = stamp }
            guard stamped == admitted else { continue }
            decoded[ref] = object
            file.replace(at: index, with: admitted)
        }
        files[path] = file
        guard !decoded.isEmpty else { return }
        documentCaches[path]?.replaceObjects { object in
            let ref = object.ref
            guard let original = decoded[ref], original == object else { return nil }
            return records[ref]?.admitted
        }
    }

    /// Decides about one object as the API server would: the version of the last file defining it, stamped and
    /// validated; the last admitted version when that one is invalid or failed to decode; nothing when it is gone.
    private mutating func decide(_ ref: ObjectRef, now: String) {
        var issues: [ConfigIssue] = []
        var current: KubeObject?
        var earlier: String?
        let record = records[ref] ?? Record()
        record.files?.forEach { path in
            guard let entry = files[path]?.object(ref) else { return }
            for _ in 0..<entry.definitions {
                if let earlier {
                    issues.append(
                        ConfigIssue(
                            object: ref, field: "metadata.name",
                            message: "\(ref.kind) defined in both \(earlier) and \(path); using \(path)", severity: .warning)
                    )
                }
                earlier = path
            }
            current = entry.object
        }
        let previous = record.admitted
        // Failed decodes keep the admitted version (syntax-broken files keep their last good objects in `files`).
        let stillServing = failedIn[ref] != nil
        var accepted: KubeObject?
        if var object = current {
            // As the API server: the creation time is set when the object is created (here: as written, else now)
            // and never changed by an update.
            let stamp = previous?.metadata.creationTimestamp ?? object.metadata.creationTimestamp ?? now
            if object.metadata.creationTimestamp != stamp { object.metadata.creationTimestamp = stamp }
            let errors = object.validate()
            if errors.isEmpty {
                accepted = object
            } else {
                for error in errors {
                    var issue = ConfigIssue(object: ref, error)
                    if previous != nil { issue.message += " (rejected; still serving the last valid version)" }
                    issues.append(issue)
                }
                accepted = previous
            }
        } else if stillServing {
            accepted = previous
        }
        if stillServing && accepted != nil {
            issues.append(
                ConfigIssue(
                    object: ref, field: "", message: "could not be decoded; still serving the last valid version", severity: .warning))
        }
        objectIssues[ref] = issues.isEmpty ? nil : issues
        // An object re-read unchanged (its file changed elsewhere) leaves the state and its journal alone, so the
        // builder redoes only what really changed.
        if accepted != previous {
            if let old = previous { state.remove(old) }
            if let accepted { state.insert(accepted) }
            admittedCount += (accepted == nil ? 0 : 1) - (previous == nil ? 0 : 1)
        }
        var updated = record
        updated.admitted = accepted == previous ? previous : accepted  // an equal version keeps the state's box
        records[ref] = updated.files == nil && accepted == nil ? nil : updated
    }
}

extension Array where Element == String {
    /// Inserts `value` at its place in this sorted array.
    fileprivate mutating func insertSorted(_ value: String) {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle] <= value { low = middle + 1 } else { high = middle }
        }
        insert(value, at: low)
    }
}
