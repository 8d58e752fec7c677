"""A chat about many documents, in a group of two members, through the fake Bot API: every answer names its
document first and replies to its question; a reply to one of the bot's answers follows that answer up, whoever
spoke in between; /doc is announced with who changed it; a button's answer quotes the question."""
from __future__ import annotations

import json

from bot.engine import get_engine
from fake_telegram import ApiError, FakeTelegram
from test_telegram import running, scenario_with

GROUP, ANNA, BEN = -700, 31, 32
BOT = "budget_test_bot"


class ChatFake(FakeTelegram):
    """The fake Bot API, with group chats typed as groups in the bot's own messages, replies kept, and files."""

    files: list[bytes]

    def _message(self, p, **extra):
        msg = super()._message(p, **extra)
        if msg["chat"]["id"] < 0:
            msg["chat"].update(type="supergroup", title="编辑部")
        if "reply_parameters" in p:
            msg["reply_to"] = json.loads(p["reply_parameters"])["message_id"]
        return msg

    async def api_sendDocument(self, p):
        data = p.get("document")
        if not isinstance(data, (bytes, bytearray)) or not data:
            raise ApiError(400, "Bad Request: document must be an uploaded file here")
        self.files = getattr(self, "files", []) + [bytes(data)]
        return self._message(p, document={"file_id": "csv", "file_unique_id": "csv", "file_size": len(data)},
                             caption=p.get("caption", ""))


chat_scenario = scenario_with(ChatFake)


async def said(fake, chat: int, act, n: int = 1) -> list[dict]:
    """Do something (send, press) and return the n messages the bot sends to the chat in answer."""
    have = len(fake.messages(chat))
    act()
    await fake.wait_for(lambda: len(fake.messages(chat)) >= have + n, timeout=30)
    return fake.messages(chat)[have:]


def sent_html(fake, message_id: int) -> str:
    """The HTML the bot sent for one of its messages (the fake keeps the plain text)."""
    index = [m["message_id"] for m in fake.sent if "message_id" in m].index(message_id)
    return [p for m, p in fake.calls if m in ("sendMessage", "sendPhoto", "sendDocument")][index].get("text", "")


def buttons(msg: dict) -> list[dict]:
    return [b for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def doc_of(part: str, year: int | None = None):
    return next(d for d in get_engine().docs if part in d.unit and (year is None or d.year == year))


@chat_scenario
async def test_a_reply_follows_up_the_answer_it_replies_to_whoever_spoke_in_between(fake, base):
    wanli, welfare = doc_of("万里", 2023), doc_of("福利院")
    async with running(fake, base):
        a, = await said(fake, GROUP, lambda: fake.send_group(GROUP, ANNA, "万里街道2023年人员经费多少", mention=BOT))
        b, = await said(fake, GROUP, lambda: fake.send_group(GROUP, BEN, "福利院人员经费多少", mention=BOT))
        assert "8,402.49万元" in a["text"] and "738.02万元" in b["text"]
        # Every answer names its document first, and in a group replies to the question it answers.
        assert a["text"].split("\n")[0].endswith(wanli.short) and b["text"].split("\n")[0].endswith(welfare.short)
        assert a["reply_to"] == a["message_id"] - 1 and b["reply_to"] == b["message_id"] - 1
        # Anna replies to the 万里 answer after Ben's 福利院 question: 万里's 公用经费, not 福利院's 212.10.
        c, = await said(fake, GROUP, lambda: fake.send_group(GROUP, ANNA, "那公用经费呢", reply_to=a))
        assert "1,538.14万元" in c["text"] and "212.10" not in c["text"], c["text"]
        assert c["text"].startswith(f"📄 已切换到 {wanli.short}")  # the group's document changed: said once
        # Ben replies to his own 福利院 answer: 福利院's 公用经费.
        d, = await said(fake, GROUP, lambda: fake.send_group(GROUP, BEN, "那公用经费呢", reply_to=b))
        assert "212.10万元" in d["text"] and welfare.short in d["text"].split("\n")[0]
        e, = await said(fake, GROUP, lambda: fake.send_group(GROUP, BEN, "三公经费多少", mention=BOT))
        assert e["text"].split("\n")[0] == f"📄 {welfare.short}"  # same document: no change announced
        assert "6.40万元" in e["text"]
        assert not fake.rejected


@chat_scenario
async def test_doc_in_a_group_is_announced_with_who_changed_it_and_button_answers_quote_the_question(fake, base):
    final = doc_of("规划")
    async with running(fake, base):
        menu, = await said(fake, GROUP, lambda: fake.send_group(GROUP, BEN, "/doc"))
        press = next(b for b in buttons(menu) if "规划" in b["text"])["callback_data"]
        note, = await said(fake, GROUP, lambda: fake.press(BEN, menu, press))
        assert "用户32" in note["text"] and final.label in note["text"] and "/doc" in note["text"]
        assert any(e["text"].startswith("已选择：") for e in fake.edits)
        # The next answer, asked by the other member, is about that document and names it first.
        ans, = await said(fake, GROUP, lambda: fake.send_group(GROUP, ANNA, "三公经费多少", mention=BOT))
        assert ans["text"].split("\n")[0] == f"📄 {final.short}"
        # /doc NAME chooses directly, announced the same way.
        note2, = await said(fake, GROUP, lambda: fake.send_group(GROUP, ANNA, "/doc 福利院"))
        assert "用户31" in note2["text"] and "福利院" in note2["text"]
        # An example pressed in a group: the answer quotes the question it answers.
        start, = await said(fake, GROUP, lambda: fake.send_group(GROUP, ANNA, "/start"))
        example = buttons(start)[0]
        got, = await said(fake, GROUP, lambda: fake.press(ANNA, start, example["callback_data"]))
        head = got["text"].split("\n")[0]
        assert "福利院" in head and f"问：{example['text']}" in head, head
        assert got["reply_to"] == start["message_id"]
        assert not fake.rejected


@chat_scenario
async def test_every_reply_names_its_document_in_its_first_line(fake, base):
    """A headline names the document; the engine's body (what the CLI prints) comes after it unchanged."""
    first = get_engine().answer("规划局基本支出")
    async with running(fake, base):
        for q, part in [("规划局基本支出", "规划"), ("万里街道2024年三公经费", "万里"), ("明天下雨吗", "万里"),
                        ("福利院取暖费", "福利院")]:
            msg, = await said(fake, 90, lambda: fake.send_text(90, q))
            head = msg["text"].split("\n", 1)[0]
            assert head.startswith("📄 ") and part in head, msg["text"]
        assert fake.messages(90)[0]["text"].split("\n")[1] == first.body.split("\n")[0]
        # The bold headline figure of a 决算 is its 决算数 (here the only figure of the first line).
        html = sent_html(fake, fake.messages(90)[0]["message_id"])
        assert "<b>5,377.64万元</b>" in html, html
