import KubeModel
import Routing

/// The admission algorithm before admission became incremental, kept as the reference the incremental
/// ``ManifestStore`` must agree with: every call re-decides every object of every file. (Changed since in one rule
/// only, as the store was: a new version takes the admitted version's creationTimestamp, as the API server never
/// changes an object's creation time once it exists.)
struct FullAdmissionStore {
    /// The last good decode of each file.
    private var files: [String: [KubeObject]] = [:]
    /// File-level problems (syntax errors) by file.
    private var fileIssues: [String: [ConfigIssue]] = [:]
    /// Object-level problems from decoding, by file.
    private var decodeIssues: [String: [ConfigIssue]] = [:]
    /// Objects that failed decoding, by file.
    private var failedRefs: [String: [ObjectRef]] = [:]
    /// The last admitted version of every object; a new version without a creationTimestamp gets its one.
    private var admitted: [ObjectRef: KubeObject] = [:]

    /// An empty store.
    init() {}

    /// The files currently known.
    var paths: [String] { files.keys.sorted() }

    /// Replaces the contents of one file.
    mutating func update(path: String, text: String) {
        let result = ManifestDecoder.decode(text, source: path)
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
        files[path] = result.objects
        fileIssues[path] = []
        decodeIssues[path] = result.issues
        failedRefs[path] = result.failedRefs
    }

    /// Forgets a deleted file (its objects are deleted too).
    mutating func remove(path: String) {
        files[path] = nil
        fileIssues[path] = nil
        decodeIssues[path] = nil
        failedRefs[path] = nil
    }

    /// Admits the current objects and returns the state to build from. `now` is an RFC 3339 time.
    mutating func admit(now: String) -> ClusterState {
        var issues: [ConfigIssue] = []
        var current: [ObjectRef: KubeObject] = [:]
        var origin: [ObjectRef: String] = [:]
        var stillServing: Set<ObjectRef> = []
        // A file broken since it first appeared has problems but no objects: report it too.
        for path in Set(files.keys).union(fileIssues.keys).sorted() {
            issues += fileIssues[path] ?? []
            issues += decodeIssues[path] ?? []
            for ref in failedRefs[path] ?? [] { stillServing.insert(ref) }
            for object in files[path] ?? [] {
                let ref = object.ref
                if let earlier = origin[ref] {
                    issues.append(
                        ConfigIssue(
                            object: ref, field: "metadata.name",
                            message: "\(ref.kind) defined in both \(earlier) and \(path); using \(path)", severity: .warning)
                    )
                }
                origin[ref] = path
                current[ref] = object
            }
        }
        // Syntax-broken files keep their last good objects (already in `files`); failed decodes keep the admitted version.
        var accepted: [ObjectRef: KubeObject] = [:]
        for ref in stillServing where current[ref] == nil { accepted[ref] = admitted[ref] }
        for (ref, object) in current {
            var object = object
            let stamp = admitted[ref]?.metadata.creationTimestamp ?? object.metadata.creationTimestamp ?? now
            if object.metadata.creationTimestamp != stamp { object.metadata.creationTimestamp = stamp }
            let errors = object.validate()
            if errors.isEmpty {
                accepted[ref] = object
                continue
            }
            let previous = admitted[ref]
            for error in errors {
                var issue = ConfigIssue(object: ref, error)
                if previous != nil { issue.message += " (rejected; still serving the last valid version)" }
                issues.append(issue)
            }
            if let previous { accepted[ref] = previous }
        }
        for ref in stillServing where accepted[ref] != nil {
            issues.append(
                ConfigIssue(
                    object: ref, field: "", message: "could not be decoded; still serving the last valid version", severity: .warning))
        }
        admitted = accepted
        return ClusterState(objects: accepted.keys.sorted().compactMap { accepted[$0] }, admissionIssues: issues)
    }
}
