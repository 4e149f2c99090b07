"""Bulk-creating members from a CSV: read it, check every row, keep the source in Slack, send in chunks, report.

    table = read_table(decode(data))        # csvfile: delimiter, header aliases, rows (UserError when unusable)
    checked = check(table)                  # check: the add form's rules, duplicate emails; nothing sent
    report = import_members(loyalty, store, who, card_id, checked, chunk_size=100, on_progress=...)
    report_csv(report)                      # id, code, wallet link of each created member

No Slack listener code lives here; `source` and `conversation` use the Web API client they are given.
"""
