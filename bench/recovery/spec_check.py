"""The benchmark project's own checks (a user verifier from --config): each file given must be a real answer.

python3 -I spec_check.py --spec SPEC.json FILE...  (run in the materialised copy; exit 1 with one line per problem)
- every file: not empty, not the word "none";
- .py: imports cleanly (the copy's root and the stand-in tkinter on sys.path) and defines the names the spec lists;
- .tex without \\documentclass (a section): balanced braces and \\begin/\\end, at least one frame;
- .html: a whole document, and every local link points to a file of the plan;
- .css: balanced braces and at least one rule.
"""
import importlib
import json
import os
import re
import sys


def main(argv):
    spec = json.load(open(argv[argv.index('--spec') + 1]))
    files = [a for i, a in enumerate(argv) if i > argv.index('--spec') + 1]
    sys.path[:0] = [os.getcwd(), spec.get('fakeTk', '')]
    problems = []
    for f in files:
        text = open(f, encoding='utf-8').read()
        if not text.strip():
            problems.append(f'{f}:1: the file is empty')
            continue
        if text.strip().lower() == 'none':
            problems.append(f'{f}:1: the file holds only "none"')
            continue
        if f.endswith('.py'):
            name = os.path.splitext(os.path.basename(f))[0]
            try:
                mod = importlib.import_module(name)
            except Exception as e:  # the finding names the error
                problems.append(f'{f}:1: import failed: {type(e).__name__}: {e}')
                continue
            for n in spec.get('names', {}).get(f, []):
                if not hasattr(mod, n):
                    problems.append(f'{f}:1: {name} does not define {n}, which the other modules use')
        elif f.endswith('.tex') and '\\documentclass' not in text:
            body = re.sub(r'\\[{}]', '', re.sub(r'(?<!\\)%.*', '', text))
            if body.count('{') != body.count('}'):
                problems.append(f'{f}:1: unbalanced braces ({body.count("{")} open, {body.count("}")} close)')
            for env in sorted(set(re.findall(r'\\begin\{(\w+\*?)\}', body))):
                if body.count('\\begin{%s}' % env) != body.count('\\end{%s}' % env):
                    problems.append(f'{f}:1: \\begin{{{env}}} and \\end{{{env}}} do not pair up')
            if '\\begin{frame}' not in body:
                problems.append(f'{f}:1: no frame')
        elif f.endswith('.html'):
            if '<html' not in text or '</html>' not in text:
                problems.append(f'{f}:1: not a whole HTML document')
            for link in re.findall(r'(?:href|src)="([^"]+)"', text):
                if re.match(r'^(https?:|mailto:|#|data:)', link):
                    continue
                target = os.path.normpath(os.path.join(os.path.dirname(f), link.split('#')[0]))
                if target not in spec.get('files', []):
                    problems.append(f'{f}:1: links to {link}, which no task of the plan writes')
        elif f.endswith('.css'):
            body = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
            if body.count('{') != body.count('}'):
                problems.append(f'{f}:1: unbalanced braces')
            if '{' not in body:
                problems.append(f'{f}:1: no rule')
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
