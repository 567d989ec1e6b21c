#!/usr/bin/env python3
"""Checks the program output quoted in docs/*.md against the program.

A quote is a line of a code block (indented four or more spaces, or fenced)
that follows a `$ lumbar ...` line in the same block: what the program
printed for that command. Two checks:

1. A code block marked with a comment on the line before it,

       <!-- output-of: SHELL SETUP -->

   is run: in a fresh copy of the bundled site, with `lumbar` standing for
   $LUMBAR and SOURCE_DATE_EPOCH fixed, SETUP runs and then every `$ ...`
   line of the block in order; what they print (stdout and stderr) must be
   the block's quoted lines, line for line, with every run of digits
   counting as one number (page counts and times change; words may not).

2. Every other quoted line that lumbar prints in one of its shapes must
   match a message format in the C source:

- a diagnostic, `FILE:LINE:COL: error: MESSAGE` (or `lumbar: warning:
  MESSAGE`, `--base-url: error: MESSAGE`...): MESSAGE matches a format
  string of src/*.c;
- any other `lumbar: TEXT` line: `lumbar: TEXT` matches a format string
  of src/*.c that begins with "lumbar: " (the summaries main.c prints).

Format strings are C string literals, adjacent ones joined, with %d, %zu,
%.0f... standing for a number and %s for any text. Numbers, paths and
counts in the docs may differ from a given run; the wording may not.
Prints "ok   ..." or "FAIL ..." per block or quote. Usage, from the
repository: LUMBAR=build/lumbar check-doc-quotes.py DOC...
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

MARK = re.compile(r'^\s*<!-- output-of:(.*?)-->\s*$')
SITE_PARTS = ('config.ini', 'content', 'layouts', 'assets')

LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
RUN = re.compile(r'"(?:[^"\\\n]|\\.)*"(?:\s*"(?:[^"\\\n]|\\.)*")*')
CONVERSION = re.compile(r'%[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|z|j|t)?([diouxXfFeEgGsc%])')
DIAGNOSTIC = re.compile(r'^(?:[^\s:][^:]*?)(?::\d+(?::\d+)?)?: (?:error|warning): (.*)$')


def unescape(text):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t'}.get(m.group(1), m.group(1)), text)


def source_formats():
    """Every string literal run in src/*.c, joined, without a final newline."""
    formats = set()
    for path in sorted(glob.glob('src/*.c')):
        with open(path, encoding='utf-8') as f:
            code = re.sub(r'/\*.*?\*/', ' ', f.read(), flags=re.S)
        for run in RUN.finditer(code):
            text = ''.join(unescape(m.group(1)) for m in LITERAL.finditer(run.group(0)))
            formats.add(text.rstrip('\n'))
    return formats


def to_regex(fmt):
    """The regular expression a printf format's output matches."""
    out, pos = [], 0
    for m in CONVERSION.finditer(fmt):
        out.append(re.escape(fmt[pos:m.start()]))
        kind = m.group(1)
        out.append({'%': '%', 's': '.*?', 'c': '.'}.get(kind, r'-?[0-9.]+' if kind in 'fFeEgG' else r'-?[0-9]+'))
        pos = m.end()
    out.append(re.escape(fmt[pos:]))
    return re.compile(''.join(out) + r'\Z', re.S)


def literal_chars(fmt):
    return len(CONVERSION.sub('', fmt))


def blocks(path):
    """Each code block of path as (first line number, setup or None, lines),
    where lines are (line number, text stripped) and setup is the shell text
    of an output-of mark on the line before the block."""
    with open(path, encoding='utf-8') as f:
        lines = [line.rstrip('\n') for line in f]
    fenced, block, setup, previous = False, None, None, ''
    for number, text in enumerate(lines, 1):
        stripped = text.strip()
        fence = stripped.startswith('```')
        in_code = fenced or fence or (text.startswith('    ') and stripped)
        if block is not None and (not in_code and stripped):
            yield block
            block = None
        if in_code and block is None:
            mark = MARK.match(previous)
            block = (number, mark.group(1).strip() if mark else None, [])
        if fence:
            fenced = not fenced
            if not fenced:
                yield block
                block = None
        elif in_code:
            block[2].append((number, stripped))
        if stripped:
            previous = text
    if block is not None:
        yield block


def quotes(lines):
    """(line number, command, quoted line) for each output line of a block."""
    command = None
    for number, text in lines:
        if text.startswith('$ '):
            command = text[2:] if text[2:].startswith('lumbar') else None
        elif command and text:
            yield number, command, text


def normalise(line):
    return re.sub(r'[0-9]+', 'N', line.strip())


def run_block(setup, lines, lumbar):
    """The output of setup and the block's commands in a copy of the site."""
    commands = [text[2:] for _, text in lines if text.startswith('$ ')]
    with tempfile.TemporaryDirectory(prefix='lumbar-doc-quotes.') as tmp:
        site = os.path.join(tmp, 'site')
        os.mkdir(site)
        for part in SITE_PARTS:
            src = os.path.join(os.getcwd(), part)
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(site, part))
            else:
                shutil.copy(src, site)
        script = 'lumbar() { "$LUMBAR" "$@"; }\n' + setup + '\n' + '\n'.join(commands) + '\n'
        env = dict(os.environ, LUMBAR=lumbar, SOURCE_DATE_EPOCH='1798761600')
        done = subprocess.run(['sh', '-c', script], cwd=site, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=120)
        return done.stdout.decode('utf-8', 'replace').splitlines()


def check_run(doc, start, setup, lines, lumbar):
    want = [text for _, text in lines if not text.startswith('$ ') and text]
    got = [line for line in run_block(setup, lines, lumbar) if line.strip()]
    where = f'{doc}:{start}'
    if [normalise(x) for x in want] == [normalise(x) for x in got]:
        print(f'ok   {where}: the block is what its commands print')
        return True
    print(f'FAIL {where}: the block is not what its commands print')
    for line in want:
        print(f'       doc: {line}')
    for line in got:
        print(f'       got: {line}')
    return False


def check_source(doc, lines, summaries, messages):
    ok = True
    for number, command, quote in quotes(lines):
        diag = DIAGNOSTIC.match(quote)
        if diag:
            found = any(r.match(diag.group(1)) for r in messages)
        elif quote.startswith('lumbar: '):
            found = any(r.match(quote) for r in summaries)
        else:
            continue  # not a line in one of lumbar's message shapes
        where = f'{doc}:{number}'
        if found:
            print(f'ok   {where}: "{quote[:60]}" is a message in src/*.c')
        else:
            print(f'FAIL {where}: "{quote}" (after `$ {command}`) matches no message in src/*.c')
            ok = False
    return ok


def main(docs):
    lumbar = os.path.abspath(os.environ.get('LUMBAR', 'build/lumbar'))
    # "lumbar: %s" and the like would match anything.
    formats = [f for f in source_formats() if literal_chars(f) >= 8]
    summaries = [to_regex(f) for f in formats if f.startswith("lumbar: ") and literal_chars(f) >= 13]
    messages = [to_regex(f) for f in formats]
    ok = True
    for doc in docs:
        for start, setup, lines in blocks(doc):
            if setup is not None:
                ok = check_run(doc, start, setup, lines, lumbar) and ok
            else:
                ok = check_source(doc, lines, summaries, messages) and ok
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
