"""Where an import's CSV comes from: a file uploaded to the modal, or text pasted into it, both kept in Slack.

Pasted text is uploaded by the bot as a file it shares with nobody, so that between the preview and the
Import click the rows live in Slack (where the user already put them) and the database holds only a
file id: no member's contact details are ever stored by the bot, and any bot process can re-read them.
Once the import has run, is cancelled or expires, the bot deletes that file (`forget_pasted`); a file the
user uploaded is theirs, and Slack lets only its uploader delete it.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import UserError
from bot.imports.check import Checked, check
from bot.imports.csvfile import MAX_BYTES, decode, read_table

log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=10.0, pool=5.0)
PASTED_NAME = "pasted-members.csv"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def keep_pasted(slack: WebClient, text: str) -> str:
    """Upload pasted CSV text as a file shared with no channel (only the bot sees it); returns its id."""
    response = slack.files_upload_v2(content=text.encode("utf-8"), filename=PASTED_NAME, title=PASTED_NAME)
    return str(response["file"]["id"])


def forget_pasted(slack: WebClient, file_id: str) -> None:
    """Delete a file `keep_pasted` uploaded; a failure is logged (the file then stays, shared with nobody)."""
    try:
        slack.files_delete(file=file_id)
    except SlackApiError as exc:
        if exc.response.get("error") not in ("file_not_found", "file_deleted"):
            log.warning("pasted CSV %s not deleted: %s", file_id, exc.response.get("error"))


def _check_url(url: str, api_url: str) -> str:
    """Send the bot token only to Slack: the file's host must be the Web API's host or one of its subdomains."""
    file, api = urlsplit(url), urlsplit(api_url)
    host, api_host = file.hostname or "", api.hostname or ""
    same_family = host == api_host or host.endswith("." + api_host)
    if not same_family or file.scheme not in ("https", api.scheme):
        raise UserError("Slack gave a download address I won't send our token to. Upload the file again.")
    return url


def download(slack: WebClient, token: str, file_id: str, *, uploader: str | None,
             max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a Slack file the bot can see (files.info, then GET url_private_download with the token).

    `uploader` is who must have uploaded it: the person importing, for a file that came in a form (whose id
    the request names, so it must not open anyone else's file); None only for the bot's own upload of
    pasted text, whose id comes from the database.
    """
    try:
        info = slack.files_info(file=file_id)["file"]
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error in ("file_not_found", "file_deleted"):
            raise UserError("That file is no longer in Slack. Run `/loyalty import` again and upload it anew."
                            ) from None
        raise
    if uploader is not None and info.get("user") != uploader:
        raise UserError("I can only import a file you uploaded yourself. Upload it to the form again, "
                        "or paste the rows instead.")
    size = int(info.get("size") or 0)
    if size > max_bytes:
        raise UserError(f"That file is {_megabytes(size)}; the limit is {_megabytes(max_bytes)}. "
                        "Split it into smaller files and import them one after another.")
    url = _check_url(str(info.get("url_private_download") or info.get("url_private") or ""), str(slack.base_url))
    with httpx.Client(timeout=DOWNLOAD_TIMEOUT, follow_redirects=True) as http, \
            http.stream("GET", url, headers={"Authorization": f"Bearer {token}"}) as response:
        if response.status_code != 200:
            raise UserError(f"Slack would not hand over the file (HTTP {response.status_code}). "
                            "Upload it again, or paste the rows instead.")
        if response.headers.get("content-type", "").startswith("text/html"):
            # Slack answers a download it refuses with its sign-in page, not an error status.
            raise UserError("Slack answered with a web page instead of the file: the app may lack the files:read "
                            "permission. Ask an admin to check, or paste the rows instead.")
        data = bytearray()
        for part in response.iter_bytes():
            data += part
            if len(data) > max_bytes:
                raise UserError(f"That file is larger than {_megabytes(max_bytes)}. "
                                "Split it into smaller files and import them one after another.")
    return bytes(data)


def read_file(slack: WebClient, token: str, file_id: str, *, uploader: str | None,
              region: str | None = None) -> Checked:
    """Download a Slack file and check every row of it, phones read in `region` (the preview and the Import click
    both read it so)."""
    return check(read_table(decode(download(slack, token, file_id, uploader=uploader))), region)
