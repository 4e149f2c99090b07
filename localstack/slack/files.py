"""Files: the upload v2 flow (get URL, upload bytes, complete), `files.info`, `files.delete`, registered files."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from localstack.slack.protocol import ApiError, BenchConfig, Params, json_param, required
from localstack.slack.state import File, Message, Workspace

Poster = Callable[..., Message]


class FilesApi:
    """The `files.*` methods; sharing a file posts a message through `post` (the app's `chat` side)."""

    def __init__(self, ws: Workspace, config: BenchConfig, post: Poster) -> None:
        self.ws = ws
        self.config = config
        self.post = post
        self.methods: dict[str, Callable[[Params], dict[str, Any]]] = {
            "files.getUploadURLExternal": self.files_get_upload_url_external,
            "files.completeUploadExternal": self.files_complete_upload_external,
            "files.info": self.files_info,
            "files.delete": self.files_delete,
        }

    def new_file(self, name: str, content: bytes, *, user: str, title: str | None = None,
                 mimetype: str = "application/octet-stream") -> File:
        """Register a file in the workspace (not yet shared anywhere)."""
        file_id = self.ws.new_id("F")
        base = f"{self.config.base_url}files/{file_id}"
        file = File(id=file_id, name=name, title=title or name, content=content, user=user,
                    created=int(time.time()), url_private=f"{base}/{name}",
                    url_private_download=f"{base}/download/{name}", mimetype=mimetype)
        self.ws.files[file_id] = file
        return file

    def files_get_upload_url_external(self, params: Params) -> dict[str, Any]:
        name, length = str(required(params, "filename")), required(params, "length")
        if not str(length).isdigit():
            raise ApiError("invalid_arguments", messages=["length must be a number"])
        file = self.new_file(name, b"", user=self.config.bot_user_id)
        return {"ok": True, "upload_url": f"{self.config.base_url}upload/{file.id}", "file_id": file.id}

    def receive_upload(self, file_id: str, content: bytes) -> bool:
        """Store the bytes posted to an upload URL; False when the URL is unknown or already used."""
        file = self.ws.files.get(file_id)
        if file is None or file.uploaded:
            return False
        file.content, file.uploaded = content, True
        self.ws.touch()
        return True

    def files_complete_upload_external(self, params: Params) -> dict[str, Any]:
        entries = json_param(params, "files")
        if not isinstance(entries, list) or not entries:
            raise ApiError("invalid_arguments", messages=["files must be a non-empty list"])
        files: list[File] = []
        for entry in entries:
            file = self.ws.files.get(str(entry.get("id")))
            if file is None or not file.uploaded:
                raise ApiError("file_not_found")
            file.title = str(entry.get("title") or file.name)
            files.append(file)
        channels = [c for c in str(params.get("channels") or "").split(",") if c]
        if params.get("channel_id"):
            channels.insert(0, str(params["channel_id"]))
        for channel_id in channels:
            channel = self.ws.channel(channel_id)
            for file in files:
                file.channels.append(channel.id)
            self.post(channel.id, str(params.get("initial_comment") or ""), [],
                      thread_ts=params.get("thread_ts") or None, files=files)
        self.ws.touch()
        return {"ok": True, "files": [{"id": f.id, "title": f.title} for f in files]}

    def files_info(self, params: Params) -> dict[str, Any]:
        file = self.ws.files.get(str(required(params, "file")))
        if file is None or not file.uploaded:
            raise ApiError("file_not_found")
        return {"ok": True, "file": file.to_api()}

    def files_delete(self, params: Params) -> dict[str, Any]:
        # A bot token may delete only the files the bot itself uploaded.
        file = self.ws.files.get(str(required(params, "file")))
        if file is None or not file.uploaded:
            raise ApiError("file_not_found")
        if file.user != self.config.bot_user_id:
            raise ApiError("cant_delete_file")
        del self.ws.files[file.id]
        self.ws.touch()
        return {"ok": True}
