import KubeModel
import Routing
import Testing

/// The standalone "API server": admission of manifest files, last good versions, deletions, creation timestamps and
/// duplicates across files.
struct ManifestStoreTests {
    /// An Ingress for example.com with one Prefix path to `service`.
    static func ingress(_ name: String, path: String = "/", service: String = "web", created: String? = nil) -> String {
        """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: \(name)
        \(created.map { "  creationTimestamp: \"\($0)\"\n" } ?? "")spec:
          ingressClassName: gatehouse
          rules:
          - host: example.com
            http:
              paths:
              - {path: "\(path)", pathType: Prefix, backend: {service: {name: \(service), port: {number: 80}}}}

        """
    }

    /// A Service with one port.
    static func service(_ name: String, port: Int = 80) -> String {
        "apiVersion: v1\nkind: Service\nmetadata: {name: \(name)}\nspec: {ports: [{port: \(port)}]}\n"
    }

    static func ref(_ kind: String, _ name: String) -> ObjectRef { ObjectRef(kind: kind, namespace: "default", name: name) }

    /// The paths of the admitted Ingress `name`.
    static func paths(_ state: ClusterState, _ name: String) -> [String] {
        state.ingresses[ref("Ingress", name)]?.spec?.rules?.flatMap { $0.http?.paths ?? [] }.compactMap(\.path) ?? []
    }

    @Test("an edit journals only the objects whose admitted version changed, and the journal keeps only the last admission's changes")
    func journalListsRealChanges() throws {
        var store = ManifestStore()
        let others = ["a", "b", "c"].map { Self.ingress($0) + "---\n" + Self.service($0) }.joined(separator: "---\n")
        store.update(path: "app.yaml", text: Self.ingress("web", path: "/v1") + "---\n" + others)
        let first = store.admit(now: "2026-01-01T00:00:00Z")
        // The whole file is read again; only `web` differs from what was admitted.
        store.update(path: "app.yaml", text: Self.ingress("web", path: "/v2") + "---\n" + others)
        let second = store.admit(now: "2026-01-01T00:01:00Z")
        let changes = try #require(second.journal.changes(after: first.journal.last))
        #expect(changes == [.ingress(Self.ref("Ingress", "web")), .ingress(Self.ref("Ingress", "web"))])  // removed, inserted
        // Unchanged content changes nothing.
        store.update(path: "app.yaml", text: Self.ingress("web", path: "/v2") + "---\n" + others)
        let third = store.admit(now: "2026-01-01T00:02:00Z")
        #expect(third.journal.changes(after: second.journal.last) == [])
        // A builder that saw the first state is further back than the journal now reaches: it starts over.
        #expect(third.journal.changes(after: first.journal.last) == nil)
    }

    @Test("a file that is not valid YAML keeps the file's last good objects")
    func brokenYAMLKeepsLastGood() throws {
        var store = ManifestStore()
        store.update(path: "app.yaml", text: Self.ingress("web", path: "/good") + "---\n" + Self.service("web"))
        _ = store.admit(now: "2026-01-01T00:00:00Z")
        // half-written: the first document is complete and changed, the rest is cut off mid-way
        store.update(
            path: "app.yaml", text: Self.ingress("web", path: "/half") + "---\napiVersion: v1\nkind: Service\nmetadata: {name: [web\n")
        let state = store.admit(now: "2026-01-01T00:01:00Z")
        #expect(Self.paths(state, "web") == ["/good"])
        #expect(state.services[Self.ref("Service", "web")] != nil)
        let issue = try #require(state.admissionIssues.first { $0.object.kind == "File" })
        #expect(issue.object.name == "app.yaml")
        #expect(issue.message.hasPrefix("not valid YAML: line "))
        #expect(issue.message.hasSuffix("; still serving the file's last good version"))
        // repaired: the new content takes effect and the problem is gone
        store.update(path: "app.yaml", text: Self.ingress("web", path: "/fixed"))
        let repaired = store.admit(now: "2026-01-01T00:02:00Z")
        #expect(Self.paths(repaired, "web") == ["/fixed"])
        #expect(repaired.services.isEmpty)
        #expect(repaired.admissionIssues.isEmpty)
    }

    @Test("a broken file never seen good has no objects, only the problem")
    func brokenNewFile() {
        var store = ManifestStore()
        store.update(path: "new.yaml", text: "kind: [\n")
        let state = store.admit(now: "2026-01-01T00:00:00Z")
        #expect(state.ingresses.isEmpty && state.services.isEmpty)
        #expect(state.admissionIssues.count == 1)
        #expect(state.admissionIssues.first?.message.contains("still serving") == false)
    }

    @Test("an Ingress edited into an invalid one keeps its last valid version serving, and says so")
    func invalidEditKeepsLastValid() throws {
        var store = ManifestStore()
        store.update(path: "web.yaml", text: Self.ingress("web", path: "/v1"))
        _ = store.admit(now: "2026-01-01T00:00:00Z")
        store.update(path: "web.yaml", text: Self.ingress("web", path: "relative"))
        let state = store.admit(now: "2026-01-01T00:01:00Z")
        #expect(Self.paths(state, "web") == ["/v1"])
        let issue = try #require(state.admissionIssues.first)
        #expect(state.admissionIssues.count == 1)
        #expect(issue.object == Self.ref("Ingress", "web"))
        #expect(issue.field == "spec.rules[0].http.paths[0].path")
        #expect(issue.message == #"Invalid value: "relative": must be an absolute path (rejected; still serving the last valid version)"#)
        // still invalid on the next admission: the same version keeps serving
        let again = store.admit(now: "2026-01-01T00:02:00Z")
        #expect(Self.paths(again, "web") == ["/v1"])
        // fixed: the new version serves
        store.update(path: "web.yaml", text: Self.ingress("web", path: "/v2"))
        let fixed = store.admit(now: "2026-01-01T00:03:00Z")
        #expect(Self.paths(fixed, "web") == ["/v2"])
        #expect(fixed.admissionIssues.isEmpty)
    }

    @Test("an object invalid at first sight is refused outright")
    func invalidAtFirstSight() throws {
        var store = ManifestStore()
        store.update(path: "web.yaml", text: Self.ingress("web", path: "relative") + "---\n" + Self.service("api"))
        let state = store.admit(now: "2026-01-01T00:00:00Z")
        #expect(state.ingresses.isEmpty)
        #expect(state.services.count == 1)
        let issue = try #require(state.admissionIssues.first)
        #expect(issue.message == #"Invalid value: "relative": must be an absolute path"#)
    }

    @Test("an object that no longer decodes keeps its last valid version, with a warning")
    func undecodableEditKeepsLastValid() throws {
        var store = ManifestStore()
        store.update(path: "svc.yaml", text: Self.service("web", port: 80))
        _ = store.admit(now: "2026-01-01T00:00:00Z")
        store.update(path: "svc.yaml", text: "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: http}]}\n")
        let state = store.admit(now: "2026-01-01T00:01:00Z")
        #expect(state.services[Self.ref("Service", "web")]?.spec?.ports?.first?.port == 80)
        #expect(
            state.admissionIssues.map(\.description).sorted() == [
                "default/web: could not be decoded; still serving the last valid version",
                "default/web: spec.ports[0].port: Invalid value: expected an integer",
            ])
        #expect(state.admissionIssues.contains { $0.severity == .warning })
    }

    @Test("a deleted file removes its objects, and only its objects")
    func deletedFile() {
        var store = ManifestStore()
        store.update(path: "a.yaml", text: Self.service("a"))
        store.update(path: "b.yaml", text: Self.service("b"))
        #expect(store.paths == ["a.yaml", "b.yaml"])
        _ = store.admit(now: "2026-01-01T00:00:00Z")
        store.remove(path: "a.yaml")
        let state = store.admit(now: "2026-01-01T00:01:00Z")
        #expect(state.services.keys.map(\.name) == ["b"])
        #expect(store.paths == ["b.yaml"])
    }

    @Test("a deleted broken file takes its last good objects and its problem with it")
    func deletedBrokenFile() {
        var store = ManifestStore()
        store.update(path: "a.yaml", text: Self.service("a"))
        _ = store.admit(now: "2026-01-01T00:00:00Z")
        store.update(path: "a.yaml", text: "kind: [\n")
        store.remove(path: "a.yaml")
        let state = store.admit(now: "2026-01-01T00:01:00Z")
        #expect(state.services.isEmpty)
        #expect(state.admissionIssues.isEmpty)
    }

    @Test("creationTimestamp is stamped at first sight and kept across edits; a written one is kept; an edit never changes it")
    func creationTimestamps() {
        var store = ManifestStore()
        store.update(
            path: "web.yaml", text: Self.ingress("web", path: "/v1") + "---\n" + Self.ingress("dated", created: "2024-05-05T05:05:05Z"))
        let first = store.admit(now: "2026-01-01T00:00:00Z")
        #expect(first.ingresses[Self.ref("Ingress", "web")]?.metadata.creationTimestamp == "2026-01-01T00:00:00Z")
        #expect(first.ingresses[Self.ref("Ingress", "dated")]?.metadata.creationTimestamp == "2024-05-05T05:05:05Z")
        store.update(
            path: "web.yaml", text: Self.ingress("web", path: "/v2") + "---\n" + Self.ingress("dated", created: "2024-05-05T05:05:05Z"))
        let edited = store.admit(now: "2026-02-02T00:00:00Z")
        #expect(Self.paths(edited, "web") == ["/v2"])
        #expect(edited.ingresses[Self.ref("Ingress", "web")]?.metadata.creationTimestamp == "2026-01-01T00:00:00Z")
        // As with the API server, an update never changes the creation time: dropping the field keeps it.
        store.update(path: "web.yaml", text: Self.ingress("web", path: "/v2") + "---\n" + Self.ingress("dated", path: "/v3"))
        let unwritten = store.admit(now: "2026-03-03T00:00:00Z")
        #expect(Self.paths(unwritten, "dated") == ["/v3"])
        #expect(unwritten.ingresses[Self.ref("Ingress", "dated")]?.metadata.creationTimestamp == "2024-05-05T05:05:05Z")
        // Nor does writing another one.
        store.update(
            path: "web.yaml",
            text: Self.ingress("web", path: "/v2", created: "2020-01-01T00:00:00Z") + "---\n" + Self.ingress("dated", path: "/v3"))
        let rewritten = store.admit(now: "2026-04-04T00:00:00Z")
        #expect(rewritten.ingresses[Self.ref("Ingress", "web")]?.metadata.creationTimestamp == "2026-01-01T00:00:00Z")
    }

    @Test("an object moved to another file keeps its timestamp; one deleted and re-created gets a new one")
    func movedAndRecreated() {
        var store = ManifestStore()
        store.update(path: "a.yaml", text: Self.service("web"))
        _ = store.admit(now: "2026-01-01T00:00:00Z")
        store.remove(path: "a.yaml")
        store.update(path: "b.yaml", text: Self.service("web"))
        let moved = store.admit(now: "2026-01-02T00:00:00Z")
        #expect(moved.services[Self.ref("Service", "web")]?.metadata.creationTimestamp == "2026-01-01T00:00:00Z")
        store.remove(path: "b.yaml")
        _ = store.admit(now: "2026-01-03T00:00:00Z")
        store.update(path: "b.yaml", text: Self.service("web"))
        let recreated = store.admit(now: "2026-01-04T00:00:00Z")
        #expect(recreated.services[Self.ref("Service", "web")]?.metadata.creationTimestamp == "2026-01-04T00:00:00Z")
    }

    @Test("the older Ingress keeps winning a conflict after it is edited")
    func olderWinsAfterEdit() throws {
        var store = ManifestStore()
        store.update(path: "old.yaml", text: Self.ingress("zzz-old", path: "/api", service: "old"))
        _ = store.admit(now: "2026-01-01T00:00:00Z")
        store.update(path: "new.yaml", text: Self.ingress("aaa-new", path: "/api", service: "new"))
        _ = store.admit(now: "2026-01-02T00:00:00Z")
        // the older Ingress is edited later than the newer one was created
        store.update(path: "old.yaml", text: Self.ingress("zzz-old", path: "/api", service: "old-v2"))
        let state = store.admit(now: "2026-01-03T00:00:00Z")
        let snapshot = SnapshotBuilder(state: state, options: RoutingOptions()).build(version: 1)
        let route = try #require(snapshot.routeTable.match(host: "example.com", path: "/api"))
        #expect(route.source.ingress == Self.ref("Ingress", "zzz-old"))
        #expect(route.backend == .unavailable(status: 503, reason: "Service default/old-v2 not found"))
        #expect(
            snapshot.issues.contains {
                $0.object == Self.ref("Ingress", "aaa-new") && $0.message.contains("already claimed by the older Ingress default/zzz-old")
            })
    }

    @Test("the same object in two files: the file later in path order wins, with a warning")
    func duplicatesAcrossFiles() throws {
        var store = ManifestStore()
        store.update(path: "b.yaml", text: Self.service("web", port: 8081))
        store.update(path: "a.yaml", text: Self.service("web", port: 8080))
        let state = store.admit(now: "2026-01-01T00:00:00Z")
        #expect(state.services[Self.ref("Service", "web")]?.spec?.ports?.first?.port == 8081)
        let issue = try #require(state.admissionIssues.first)
        #expect(state.admissionIssues.count == 1)
        #expect(issue.severity == .warning)
        #expect(issue.description == "default/web: metadata.name: Service defined in both a.yaml and b.yaml; using b.yaml")
        // one of the copies removed: no more warning, the other copy serves
        store.remove(path: "b.yaml")
        let single = store.admit(now: "2026-01-01T00:01:00Z")
        #expect(single.services[Self.ref("Service", "web")]?.spec?.ports?.first?.port == 8080)
        #expect(single.admissionIssues.isEmpty)
    }

    @Test("objects of the same name in different namespaces or kinds are different objects")
    func identities() {
        var store = ManifestStore()
        store.update(
            path: "a.yaml",
            text: "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: a}\n---\n"
                + "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: b}\n---\n"
                + Self.ingress("web"))
        let state = store.admit(now: "2026-01-01T00:00:00Z")
        #expect(state.services.count == 2)
        #expect(state.ingresses.count == 1)
        #expect(state.admissionIssues.isEmpty)
    }
}
