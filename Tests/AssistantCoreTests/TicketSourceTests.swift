import Foundation
import TestSupport
import Testing
@testable import AssistantCore

/// Reading ticket archives: rows numbered by their file line, ids, delimiters, and malformed
/// rows that become rows of their own instead of swallowing the rows after them.
struct TicketSourceTests {
    static func rows(_ content: Data, name: String, field: String = "text", idField: String? = nil,
                     delimiter: Character = ",") throws -> [TicketSource.Row] {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent(name)
        try content.write(to: url)
        let source = try TicketSource(path: url.path, field: field, idField: idField, delimiter: delimiter)
        var rows: [TicketSource.Row] = []
        while let row = try source.nextRow() { rows.append(row) }
        return rows
    }

    static func rows(_ text: String, name: String, idField: String? = nil, delimiter: Character = ",") throws -> [TicketSource.Row] {
        try rows(Data(text.utf8), name: name, idField: idField, delimiter: delimiter)
    }

    /// The issue's case: 6 rows, the third with an unterminated quote, read as 6 rows.
    @Test func anUnterminatedQuoteIsOneErrorRowNotASwallowedRow() throws {
        let csv = "id,text\n1,card lost\n2,pin locked\n3,\"my transfer is late\n4,refund please\n5,top up failed\n6,close account\n"
        let rows = try Self.rows(csv, name: "t.csv", idField: "id")
        #expect(rows.count == 6)
        #expect(rows.map(\.line) == [2, 3, 4, 5, 6, 7])
        #expect(rows.map(\.id) == ["1", "2", nil, "4", "5", "6"])
        #expect(rows.map(\.text) == ["card lost", "pin locked", nil, "refund please", "top up failed", "close account"])
        #expect(rows[2].problem == "malformed CSV: unterminated quote")
    }

    @Test func quotedLineBreaksAndQuotesAreKeptAndLinesStayTrue() throws {
        let csv = "text,id\n\"first line\nsecond, line\",a\n\"she said \"\"hi\"\"\",b\n\n\"5\"\" screen\",c\n"
        let rows = try Self.rows(csv, name: "t.csv", idField: "id")
        #expect(rows.map(\.text) == ["first line\nsecond, line", "she said \"hi\"", "5\" screen"])
        #expect(rows.map(\.line) == [2, 4, 6])  // a blank line 5 between records
        #expect(rows.map(\.id) == ["a", "b", "c"])
    }

    @Test func wrongFieldCountsAndTextAfterAClosingQuoteAreErrorRows() throws {
        let csv = "id,text\n1,a,extra\n2,\"b\"x\n3,\"c\nstill c\",more\n4,d\n"
        let rows = try Self.rows(csv, name: "t.csv", idField: "id")
        #expect(rows.map(\.problem) == ["malformed CSV: 3 fields, the header has 2",
                                       "malformed CSV: text after a closing quote in field 2",
                                       "malformed CSV: a quoted field runs over 2 lines into 3 fields, the header has 2 (an unterminated quote?)",
                                       nil, nil])
        // The line the malformed multi-line record took is read again as a row of its own, then row 4.
        #expect(rows.map(\.line) == [2, 3, 4, 5, 6])
        #expect(rows.last?.text == "d")
    }

    @Test func semicolonsNeedTheDelimiterAndTheErrorSaysSo() throws {
        let csv = "id;text\n1;card lost\n2;\"a;b\"\n"
        #expect(try Self.rows(csv, name: "t.csv", idField: "id", delimiter: ";").map(\.text) == ["card lost", "a;b"])
        do {
            _ = try Self.rows(csv, name: "t.csv")
            Issue.record("a semicolon file was read with commas")
        } catch let error as InputError {
            #expect("\(error)".hasSuffix(":1: field 'text (the header looks separated by ';': pass --delimiter ';')' is missing or not a string"))
        }
        #expect(try Self.rows("id\ttext\n7\thello\n", name: "t.csv", idField: "id", delimiter: "\t").map(\.id) == ["7"])
    }

    @Test func notUTF8IsAnErrorRowAndReadingGoesOn() throws {
        var csv = Data("text\nfine\n".utf8)
        csv.append(contentsOf: [0x63, 0x61, 0x66, 0xE9, 0x0A])  // "café" in Latin-1
        csv.append(contentsOf: Data("after\n".utf8))
        let rows = try Self.rows(csv, name: "t.csv")
        #expect(rows.map(\.text) == ["fine", nil, "after"])
        #expect(rows[1].problem == "malformed CSV: not valid UTF-8 (convert the file to UTF-8)" && rows[1].line == 3)
        var jsonl = Data("{\"text\": \"one\"}\n".utf8)
        jsonl.append(contentsOf: [0x7B, 0xE9, 0x7D, 0x0A])
        jsonl.append(contentsOf: Data("{\"text\": \"three\"}\n".utf8))
        let lines = try Self.rows(jsonl, name: "t.jsonl")
        #expect(lines.map(\.text) == ["one", nil, "three"] && lines[1].problem == "not valid UTF-8")
    }

    @Test func jsonlRowsAreFileLinesWithIdsAndProblems() throws {
        let jsonl = "{\"text\": \"a\", \"id\": \"T-1\"}\n\n   \n{\"text\": \"b\", \"id\": 42}\nnot json\n{\"id\": \"T-4\"}\n"
        let rows = try Self.rows(jsonl, name: "t.jsonl", idField: "id")
        #expect(rows.map(\.line) == [1, 4, 5, 6])  // blank lines keep the numbering
        #expect(rows.map(\.id) == ["T-1", "42", nil, "T-4"])
        #expect(rows.map(\.problem) == [nil, nil, "invalid JSON (one object per line expected)", "field 'text' is missing or not a string"])
    }

    @Test func aByteOrderMarkAndAMissingIdColumn() throws {
        #expect(try Self.rows("\u{FEFF}text\nhello\n", name: "t.csv").map(\.text) == ["hello"])
        #expect(throws: InputError.self) { try Self.rows("text\nhello\n", name: "t.csv", idField: "ticket") }
    }

    @Test func parseByHand() {
        #expect(CSVRecordReader.parse("a,\"b,c\",d", delimiter: ",") == .fields(["a", "b,c", "d"]))
        #expect(CSVRecordReader.parse(",,", delimiter: ",") == .fields(["", "", ""]))
        #expect(CSVRecordReader.parse("\"open", delimiter: ",") == .openQuote)
        #expect(CSVRecordReader.parse("\"\"", delimiter: ",") == .fields([""]))
        #expect(CSVRecordReader.parse("x\"y", delimiter: ",") == .fields(["x\"y"]))
    }
}
