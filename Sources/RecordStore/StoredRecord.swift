import Foundation
package import GRDB
import SuiteFoundation

/// A stored value that does not read back as its column's type: a row changed outside the
/// suite, or a file that is not one of its stores. Names the table, the row and the column
/// (never the value, which may be sealed or identifying).
package struct CorruptRecordError: Error, Equatable, CustomStringConvertible {
    package let table: String
    /// The row's key (`id`), or `?` when the key itself is unreadable.
    package let row: String
    package let column: String
    package let detail: String

    package var description: String {
        "\(table) row \(row), column \(column): stored value unreadable (\(detail)); the store was changed outside the suite"
    }
}

extension FetchableRecord where Self: TableRecord {
    /// Decodes one row of this record's table, turning every decoding failure into a
    /// `CorruptRecordError` that names the table, the row (by `keyColumn`) and the column.
    package static func decodeStored(_ row: Row, keyColumn: String = "id") throws -> Self {
        do {
            return try Self(row: row)
        } catch let error as DecodingError {
            throw corrupt(row, keyColumn, column: error.codingKeys.first?.stringValue ?? "?", detail: error.summary)
        } catch let error as RowDecodingError {
            // GRDB names the column in its description: `… - column: "score", column index: 3, row: …`.
            let text = "\(error)"
            let column = text.firstMatch(of: /column: "([^"]+)"/).map { String($0.1) } ?? "?"
            let detail = text.components(separatedBy: " - ").first ?? text
            throw corrupt(row, keyColumn, column: column, detail: String(detail.prefix(120)))
        }
    }

    /// Decodes a JSON text column read as `String` (a JSON column GRDB cannot name in its errors).
    package static func decodeStoredJSON<T: Decodable>(_ type: T.Type, _ text: String?, column: String,
                                                       row: Row, keyColumn: String = "id") throws -> T? {
        guard let text else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            throw corrupt(row, keyColumn, column: column, detail: error.summary)
        }
    }

    private static func corrupt(_ row: Row, _ keyColumn: String, column: String, detail: String) -> CorruptRecordError {
        let key: DatabaseValue = row[keyColumn] ?? .null
        let name: String = switch key.storage {
        case .string(let s): s
        case .int64(let i): String(i)
        default: "?"
        }
        return CorruptRecordError(table: databaseTableName, row: name, column: column, detail: detail)
    }
}
