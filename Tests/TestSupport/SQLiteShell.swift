public import Foundation

/// The sqlite3 command-line shell, as an attacker with access to a store's file uses it.
public enum SQLiteShell {
    /// SQL that drops the audit log's append-only triggers (what such an attacker does first).
    public static let dropAuditTriggers = "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; "

    /// Runs `sql` on `database`; returns the shell's exit status.
    public static func run(_ database: URL, _ sql: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [database.path, sql]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
