import Crypto
import Foundation
import GRDB
public import ModelRuntime
import RecordStore
import SuiteFoundation

/// The searchable knowledge base: articles, an FTS5 (BM25) index over titles, answers and
/// examples, one sentence embedding per article (title + examples) and one per phrasing (the
/// title and each example alone), in its own SQLite file (company content, nothing identifying,
/// so not sealed).
public final class KnowledgeIndex: Sendable {
    public let path: String
    let database: DatabasePool

    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        database = try SecureStore.openDatabase(at: URL(fileURLWithPath: path))
        var migrator = DatabaseMigrator()
        migrator.registerMigration("kb v1") { db in
            try db.create(table: "articles") { t in
                t.primaryKey("id", .text)
                t.column("body", .text).notNull()          // the Article as JSON
                t.column("content_hash", .text).notNull()
                t.column("embedding", .blob).notNull()     // Float32 × dimension, little endian
            }
            try db.execute(sql: """
                CREATE VIRTUAL TABLE articles_fts USING fts5(id UNINDEXED, title, answer, examples, tokenize = 'porter unicode61');
                CREATE TABLE kb_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """)
        }
        // Indexes built before this migration have no phrasing vectors: `build` embeds their
        // articles again (an article without phrasing rows counts as changed).
        migrator.registerMigration("kb v2 phrasings") { db in
            try db.execute(sql: """
                CREATE TABLE phrasing_embeddings (
                    article_id TEXT NOT NULL, position INTEGER NOT NULL, embedding BLOB NOT NULL,
                    PRIMARY KEY (article_id, position));
                """)
        }
        try migrator.migrate(database)
    }

    /// What `build` did.
    public struct BuildReport: Sendable, Equatable {
        public var added = 0, updated = 0, unchanged = 0, removed = 0
        public var version = ""
    }

    /// Makes the index hold exactly `articles`: new and changed ones are embedded (the article,
    /// then its title and each example alone), unchanged ones keep their vectors, missing ones
    /// are removed. One transaction: all or nothing.
    public func build(_ articles: [Article], encoder: SentenceEncoder, modelID: String,
                      progress: (Int, Int) -> Void = { _, _ in }) throws -> BuildReport {
        var report = BuildReport()
        let existing = try database.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, content_hash FROM articles").map {
                ($0["id"] as String, $0["content_hash"] as String)
            })
        }
        let previousModel = try database.read { db in try String.fetchOne(db, sql: "SELECT value FROM kb_meta WHERE key = 'model'") }
        let phrased = try database.read { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT article_id FROM phrasing_embeddings"))
        }
        let reembedAll = previousModel != modelID
        let changed = articles.filter { reembedAll || existing[$0.id] != $0.contentHash || !phrased.contains($0.id) }
        var vectors: [String: [Float]] = [:], phrasingVectors: [String: [[Float]]] = [:]
        let texts = changed.flatMap { article in
            [(article.id, article.embeddingText)] + article.phrasings.map { (article.id, $0) }
        }
        for start in stride(from: 0, to: texts.count, by: 64) {
            let slice = Array(texts[start..<min(start + 64, texts.count)])
            for ((id, _), vector) in zip(slice, try encoder.embed(slice.map(\.1))) {
                if vectors[id] == nil { vectors[id] = vector } else { phrasingVectors[id, default: []].append(vector) }
            }
            progress(vectors.count, changed.count)  // articles whose first text is embedded
        }
        let ids = Set(articles.map(\.id))
        try database.write { db in
            for id in existing.keys where !ids.contains(id) {
                try db.execute(sql: "DELETE FROM articles WHERE id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM articles_fts WHERE id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM phrasing_embeddings WHERE article_id = ?", arguments: [id])
                report.removed += 1
            }
            for article in articles {
                guard let vector = vectors[article.id] else { report.unchanged += 1; continue }
                if existing[article.id] == nil { report.added += 1 } else { report.updated += 1 }
                let blob = vector.withUnsafeBufferPointer { Data(buffer: $0) }
                try db.execute(sql: "INSERT OR REPLACE INTO articles (id, body, content_hash, embedding) VALUES (?, ?, ?, ?)",
                               arguments: [article.id, try JSONOutput.string(article),
                                           article.contentHash, blob])
                try db.execute(sql: "DELETE FROM phrasing_embeddings WHERE article_id = ?", arguments: [article.id])
                for (position, phrasing) in (phrasingVectors[article.id] ?? []).enumerated() {
                    try db.execute(sql: "INSERT INTO phrasing_embeddings (article_id, position, embedding) VALUES (?, ?, ?)",
                                   arguments: [article.id, position, phrasing.withUnsafeBufferPointer { Data(buffer: $0) }])
                }
                try db.execute(sql: "DELETE FROM articles_fts WHERE id = ?", arguments: [article.id])
                try db.execute(sql: "INSERT INTO articles_fts (id, title, answer, examples) VALUES (?, ?, ?, ?)",
                               arguments: [article.id, article.title, article.answer, article.examples.joined(separator: "\n")])
            }
            let hashes = articles.map(\.contentHash).sorted().joined()
            report.version = "kb-" + SHA256.hash(data: Data(hashes.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
            try db.execute(sql: "INSERT OR REPLACE INTO kb_meta (key, value) VALUES ('model', ?), ('version', ?)",
                           arguments: [modelID, report.version])
        }
        return report
    }

    /// The index's version (a hash of its articles) and the model that embedded them.
    package func metadata() throws -> (version: String, model: String)? {
        try database.read { db in
            guard let version = try String.fetchOne(db, sql: "SELECT value FROM kb_meta WHERE key = 'version'"),
                  let model = try String.fetchOne(db, sql: "SELECT value FROM kb_meta WHERE key = 'model'")
            else { return nil }
            return (version, model)
        }
    }

    public func article(id: String) throws -> Article? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT body FROM articles WHERE id = ?", arguments: [id])
                .map { try JSONDecoder().decode(Article.self, from: Data($0.utf8)) }
        }
    }

    /// BM25 ranking (best first) of articles for the words of `query`.
    public func keywordSearch(_ query: String, limit: Int) throws -> [(id: String, score: Double)] {
        let words = query.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { $0.count > 1 }
        guard !words.isEmpty else { return [] }
        let match = words.prefix(64).map { "\"\($0)\"" }.joined(separator: " OR ")
        return try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, bm25(articles_fts, 0.0, 3.0, 1.0, 2.0) AS score FROM articles_fts
                WHERE articles_fts MATCH ? ORDER BY score LIMIT ?
                """, arguments: [match, limit]).map { ($0["id"], -($0["score"] as Double)) }
        }
    }

    /// Each article's phrasing embeddings (title, then examples), for dense search by phrasing.
    public func phrasingEmbeddings() throws -> [String: [[Float]]] {
        try database.read { db in
            var byArticle: [String: [[Float]]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT article_id, embedding FROM phrasing_embeddings ORDER BY article_id, position") {
                let data: Data = row["embedding"]
                byArticle[row["article_id"], default: []].append(data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
            }
            return byArticle
        }
    }

    /// How often each word (a run of letters, lowercased) occurs in the articles' titles,
    /// answers and examples: the vocabulary `SpellingCorrector` corrects toward.
    public func wordCounts() throws -> [String: Int] {
        let bodies = try database.read { db in try String.fetchAll(db, sql: "SELECT body FROM articles") }
        var counts: [String: Int] = [:]
        for body in bodies {
            let article = try JSONDecoder().decode(Article.self, from: Data(body.utf8))
            for text in [article.title, article.answer] + article.examples {
                for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) { counts[String(word), default: 0] += 1 }
            }
        }
        return counts
    }

    /// Every article's embedding, for dense search.
    public func embeddings() throws -> [(id: String, vector: [Float])] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, embedding FROM articles ORDER BY id").map { row in
                let data: Data = row["embedding"]
                return (row["id"], data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
            }
        }
    }
}
