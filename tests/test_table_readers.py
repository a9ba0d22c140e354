"""CSV imports read through polars and give the records the csv module gave; Parquet rows keep nested messages."""
import pyarrow as pa
import pyarrow.parquet as pq

from curation import formats

TRICKY = ('\ufeffprompt,answer,task_type\r\n'
          'hi,"multi\r\nline\n\nanswer",a/b\r\n'
          '\r\n'                       # a blank line: the csv module skips it
          ',,\r\n'                     # a row of empty fields: kept (it goes to quarantine as empty)
          '"q ""quoted""",  spaced ,c/d\r\n'
          '中文问题,"回答,带逗号",zh/qa\r\n')


def test_polars_csv_matches_the_csv_module(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(TRICKY.encode("utf-8"))
    ours = list(formats.read_csv(path, "utf-8"))
    assert formats._polars_csv(path) is not None  # the fast path ran, not the fallback
    assert ours == list(formats._csv_module_rows(path, "utf-8"))
    assert [r.line for r in ours] == [5, 7, 8, 9]
    assert ours[0].value["answer"] == "multi\r\nline\n\nanswer"


def test_csv_files_polars_cannot_take_fall_back_to_row_errors(tmp_path):
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("question,answer\nq1,a1,extra\nq2,a2\n", encoding="utf-8")
    assert formats._polars_csv(ragged) is None
    rows = list(formats.read_csv(ragged, "utf-8"))
    assert rows[0].error == "row has 3 fields, the header has 2" and rows[1].value == {"question": "q2", "answer": "a2"}
    dup = tmp_path / "dup.csv"
    dup.write_text("a,a,b\n1,2,3\n", encoding="utf-8")
    assert [r.value for r in formats.read_csv(dup, "utf-8")] == [{"a": "2", "b": "3"}]
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("问题,回答\n你好,您好\n".encode("gb18030"))
    assert [r.value for r in formats.read_csv(gbk, "gb18030")] == [{"问题": "你好", "回答": "您好"}]


def test_parquet_rows_match_pyarrow_including_nested_messages(tmp_path):
    rows = [{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": None}],
             "task_type": "a/b", "score": 1.5},
            {"messages": [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "您好"}],
             "task_type": None, "score": None}]
    path = tmp_path / "t.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    assert [(r.line, r.value) for r in formats.read_parquet(path)] == [(1, rows[0]), (2, rows[1])]
