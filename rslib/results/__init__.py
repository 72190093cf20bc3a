"""Results files and provenance (numpy only; torch is imported only to describe a device).

A results file is Cohen et al.'s certify TSV (idx label predict radius correct time) with rslib's columns
(p_a p_b count_a n norm seed) behind two header lines: the experiment's parameters and its provenance
(command, device, versions, commit, date). `read` checks every row; `open_for_append` and `append_row`
write one under an exclusive lock, each row fsynced; `merge` combines shards atomically. An abstained row
has predict -1 and radius 0, as in Cohen et al.'s files. `read_log` also reads Cohen et al.'s certify and
predict logs, and `accuracy_table` compares runs in text, Markdown and LaTeX.
"""

from rslib.results._display import format_down, format_up
from rslib.results._files import COLUMNS, Results, append_row, certified_accuracy, locked, merge, open_for_append, read
from rslib.results._logs import CERTIFY_LOG, PREDICT_LOG, AccuracyTable, accuracy_table, read_log
from rslib.results._provenance import describe, device_description, git_commit, provenance, read_json_results

__all__ = [
    "COLUMNS",
    "Results",
    "read",
    "certified_accuracy",
    "open_for_append",
    "append_row",
    "locked",
    "merge",
    "read_log",
    "CERTIFY_LOG",
    "PREDICT_LOG",
    "AccuracyTable",
    "accuracy_table",
    "format_down",
    "format_up",
    "provenance",
    "describe",
    "device_description",
    "git_commit",
    "read_json_results",
]
