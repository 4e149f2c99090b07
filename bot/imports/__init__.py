"""Bulk-creating members from a CSV: read it, check every row, keep the source in Slack, send in chunks, report.

    table = read_table(decode(data))        # csvfile: delimiter, header aliases, rows (UserError when unusable)
    checked = check(table)                  # check: the add form's rules, duplicate emails; nothing sent
    bot.jobs.imports.start(services, who, import_id, card_id, checked)  # ledger + durable job: sent, reported
    report_csv(report)                      # id, code, wallet link of each created member

No Slack listener code lives here; `source` and `conversation` use the Web API client they are given.
"""
