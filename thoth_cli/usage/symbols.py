"""Read one module's syntax tree for the modules it imports and the fully qualified names it uses."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

Bindings = dict[str, frozenset[str]]
"""A local name -> the fully qualified names it may stand for (several after `try/except ImportError`
or `if/else`). A name absent here is bound to nothing imported, or not bound at all."""

_DYNAMIC_IMPORTS = frozenset({"importlib.import_module", "importlib.__import__", "builtins.__import__"})
_LEAVES = (ast.Constant, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
"""Nodes that hold no names: not walked into."""
_TYPE_CHECKING = frozenset({"typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING"})


@dataclass(frozen=True)
class SourceUsage:
    """What one module's source imports and refers to, before anything is told apart.

    `modules` holds the top-level names of every module imported by absolute name (`import
    a.b`, `from a.b import c`, `from a import *`, `importlib.import_module("a.b")`);
    `type_checking_only` those of them imported only inside `if TYPE_CHECKING:` blocks;
    `symbols` every fully qualified name referred to through an import: the imported names
    themselves and each attribute chain taken from them, aliases resolved.
    """

    modules: frozenset[str] = frozenset()
    type_checking_only: frozenset[str] = frozenset()
    symbols: frozenset[str] = frozenset()


def source_usage(tree: ast.Module) -> SourceUsage:
    """The usage of a parsed module; nothing in it is imported or run.

    A name refers to what an import bound it to until it is bound again (assigned, deleted,
    a parameter, a loop or `with` target, a function or class of that name); after a branch
    (`if`, `try`, a loop, `match`) it may refer to what any branch left it bound to. Function
    bodies see the bindings in force where the function is defined; `global` is not followed.
    Names in string annotations, and the names a star import binds, are not known.
    """
    reader = _Reader()
    reader.block(tree.body, {})
    runtime = reader.runtime_modules
    return SourceUsage(
        modules=frozenset(runtime | reader.type_checking_modules),
        type_checking_only=frozenset(reader.type_checking_modules - runtime),
        symbols=frozenset(reader.symbols),
    )


def _merge(*states: Bindings) -> Bindings:
    merged: dict[str, frozenset[str]] = {}
    for state in states:
        for name, targets in state.items():
            merged[name] = merged.get(name, frozenset()) | targets
    return merged


def _chain(node: ast.expr) -> tuple[str, list[str]] | None:
    """`a.b.c` as ("a", ["b", "c"]); None when the chain does not start at a plain name."""
    attributes: list[str] = []
    while isinstance(node, ast.Attribute):
        attributes.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return node.id, attributes[::-1]


def _parameters(arguments: ast.arguments) -> Iterator[str]:
    for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
        yield argument.arg
    for variadic in (arguments.vararg, arguments.kwarg):
        if variadic is not None:
            yield variadic.arg


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _absolute_module(name: str | None) -> str | None:
    """A module name as `import_module` would take it absolutely; None for relative or malformed ones."""
    if not name or name.startswith("."):
        return None
    parts = name.split(".")
    return name if all(part.isidentifier() for part in parts) else None


class _Reader:
    """Walks statements in order, carrying the bindings in force; records what it meets."""

    def __init__(self) -> None:
        self.runtime_modules: set[str] = set()
        self.type_checking_modules: set[str] = set()
        self.symbols: set[str] = set()
        self.in_type_checking = False

    # Recording -----------------------------------------------------------------------------

    def imported(self, module: str) -> None:
        top = module.partition(".")[0]
        (self.type_checking_modules if self.in_type_checking else self.runtime_modules).add(top)

    def resolve(self, node: ast.expr, state: Bindings) -> frozenset[str]:
        """The fully qualified names a plain name or attribute chain may stand for."""
        chain = _chain(node)
        if chain is None:
            return frozenset()
        name, attributes = chain
        suffix = "".join(f".{attribute}" for attribute in attributes)
        return frozenset(target + suffix for target in state.get(name, ()))

    def value_targets(self, node: ast.expr, state: Bindings) -> frozenset[str]:
        """What an assigned value stands for: an alias of an import, or a module imported by name."""
        if isinstance(node, ast.Call):
            module = self.dynamic_import(node, state)
            if module is None:
                return frozenset()
            if self.resolve(node.func, state) & {"importlib.__import__", "builtins.__import__"} or (
                isinstance(node.func, ast.Name) and node.func.id == "__import__" and "__import__" not in state
            ):
                # __import__("a.b") returns the top-level package, as `import a.b` binds it.
                return frozenset({module.partition(".")[0]})
            return frozenset({module})
        return self.resolve(node, state)

    def dynamic_import(self, call: ast.Call, state: Bindings) -> str | None:
        """The module an `importlib.import_module("...")` or `__import__("...")` call names literally."""
        is_builtin = (
            isinstance(call.func, ast.Name) and call.func.id == "__import__" and "__import__" not in state
        )
        if not is_builtin and not self.resolve(call.func, state) & _DYNAMIC_IMPORTS:
            return None
        return _absolute_module(_literal(call.args[0]) if call.args else None)

    # Statements ----------------------------------------------------------------------------

    def block(
        self, statements: Iterable[ast.stmt], state: Bindings, *, class_scope: Bindings | None = None
    ) -> None:
        """Read statements in order, updating `state`; in a class body, `class_scope` is what its
        methods see (a class body's names are not visible inside its methods)."""
        for statement in statements:
            self.statement(statement, state, class_scope)

    def branch(self, statements: Iterable[ast.stmt], state: Bindings) -> Bindings:
        branched = dict(state)
        self.block(statements, branched)
        return branched

    def statement(self, node: ast.stmt, state: Bindings, class_scope: Bindings | None) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.imported(alias.name)
                self.symbols.add(alias.name)
                if alias.asname is not None:
                    state[alias.asname] = frozenset({alias.name})
                else:
                    top = alias.name.partition(".")[0]
                    state[top] = frozenset({top})
        elif isinstance(node, ast.ImportFrom):
            self.import_from(node, state)
        elif isinstance(node, ast.Assign):
            self.expression(node.value, state)
            aliased = self.value_targets(node.value, state)
            for target in node.targets:
                self.target(target, state)
            if aliased:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        state[target.id] = aliased
        elif isinstance(node, ast.AnnAssign):
            self.expression(node.annotation, state)
            if node.value is not None:
                self.expression(node.value, state)
                aliased = self.value_targets(node.value, state)
                self.target(node.target, state)
                if aliased and isinstance(node.target, ast.Name):
                    state[node.target.id] = aliased
            elif not isinstance(node.target, ast.Name):
                self.expression(node.target, state)
        elif isinstance(node, ast.AugAssign):
            self.expression(node.value, state)
            self.target(node.target, state)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                self.target(target, state)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.function(node, state, class_scope)
        elif isinstance(node, ast.ClassDef):
            for expression in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
                self.expression(expression, state)
            body = dict(state)
            self.block(node.body, body, class_scope=dict(state))
            state.pop(node.name, None)
        elif isinstance(node, ast.If):
            self.if_statement(node, state)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self.expression(node.iter, state)
            looped = dict(state)
            self.target(node.target, looped)
            self.block(node.body, looped)
            after = _merge(state, looped)
            self.block(node.orelse, after)
            self.replace(state, after)
        elif isinstance(node, ast.While):
            self.expression(node.test, state)
            after = _merge(state, self.branch(node.body, state))
            self.block(node.orelse, after)
            self.replace(state, after)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self.expression(item.context_expr, state)
                if item.optional_vars is not None:
                    self.target(item.optional_vars, state)
            self.block(node.body, state)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            self.try_statement(node, state)
        elif isinstance(node, ast.Match):
            self.match(node, state)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            pass
        else:
            # Return, Expr, Raise, Assert, and statements newer than this code (type aliases):
            # read every expression they hold; any plain name they store is bound anew.
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expression(child, state)

    def import_from(self, node: ast.ImportFrom, state: Bindings) -> None:
        if node.level or not node.module:
            # The project's own modules: not reported, but they hide what a name meant before.
            for alias in node.names:
                if alias.name != "*":
                    state.pop(alias.asname or alias.name, None)
            return
        self.imported(node.module)
        for alias in node.names:
            if alias.name == "*":
                # What a star import binds is known only by importing it.
                self.symbols.add(node.module)
                continue
            qualified = f"{node.module}.{alias.name}"
            self.symbols.add(qualified)
            state[alias.asname or alias.name] = frozenset({qualified})

    def function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, state: Bindings, class_scope: Bindings | None
    ) -> None:
        arguments = node.args
        defaults = [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)]
        annotations = [
            a.annotation
            for a in (
                *arguments.posonlyargs,
                *arguments.args,
                *arguments.kwonlyargs,
                arguments.vararg,
                arguments.kwarg,
            )
            if a is not None and a.annotation is not None
        ]
        for expression in (*node.decorator_list, *defaults, *annotations):
            self.expression(expression, state)
        if node.returns is not None:
            self.expression(node.returns, state)
        body = dict(state if class_scope is None else class_scope)
        for name in _parameters(arguments):
            body.pop(name, None)
        self.block(node.body, body)
        state.pop(node.name, None)

    def if_statement(self, node: ast.If, state: Bindings) -> None:
        self.expression(node.test, state)
        type_checking = self.is_type_checking(node.test, state)
        outer = self.in_type_checking
        self.in_type_checking = outer or type_checking
        body = self.branch(node.body, state)
        self.in_type_checking = outer
        orelse = self.branch(node.orelse, state)
        self.replace(state, _merge(body, orelse))

    def is_type_checking(self, test: ast.expr, state: Bindings) -> bool:
        if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
            # Also the `TYPE_CHECKING = False` some projects define to avoid importing typing.
            return True
        return bool(self.resolve(test, state) & _TYPE_CHECKING)

    def try_statement(self, node: ast.stmt, state: Bindings) -> None:
        body_statements: list[ast.stmt] = getattr(node, "body", [])
        handlers: list[ast.ExceptHandler] = getattr(node, "handlers", [])
        body = self.branch(body_statements, state)
        # The body may have stopped anywhere: a handler starts from any of its states.
        started = _merge(state, body)
        outcomes: list[Bindings] = []
        for handler in handlers:
            handled = dict(started)
            if handler.type is not None:
                self.expression(handler.type, handled)
            if handler.name is not None:
                handled.pop(handler.name, None)
            self.block(handler.body, handled)
            outcomes.append(handled)
        orelse = self.branch(getattr(node, "orelse", []), body)
        after = _merge(orelse, *outcomes)
        self.block(getattr(node, "finalbody", []), after)
        self.replace(state, after)

    def match(self, node: ast.Match, state: Bindings) -> None:
        self.expression(node.subject, state)
        outcomes: list[Bindings] = [state]
        for case in node.cases:
            matched = dict(state)
            for pattern in ast.walk(case.pattern):
                if isinstance(pattern, ast.MatchValue):
                    self.expression(pattern.value, matched)
                elif isinstance(pattern, ast.MatchClass):
                    self.expression(pattern.cls, matched)
                name = getattr(pattern, "name", None) or getattr(pattern, "rest", None)
                if isinstance(name, str):
                    matched.pop(name, None)
            if case.guard is not None:
                self.expression(case.guard, matched)
            self.block(case.body, matched)
            outcomes.append(matched)
        self.replace(state, _merge(*outcomes))

    def target(self, node: ast.expr, state: Bindings) -> None:
        """An assignment or deletion target: plain names lose their binding; an attribute or
        subscript target (`np.x = ...`) is a use of what it names."""
        if isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                self.target(element, state)
        elif isinstance(node, ast.Starred):
            self.target(node.value, state)
        elif isinstance(node, ast.Name):
            state.pop(node.id, None)
        else:
            self.expression(node, state)

    @staticmethod
    def replace(state: Bindings, new: Bindings) -> None:
        state.clear()
        state.update(new)

    # Expressions ---------------------------------------------------------------------------

    def expression(self, node: ast.AST, state: Bindings) -> None:
        if isinstance(node, _LEAVES):
            return
        if isinstance(node, (ast.Attribute, ast.Name)):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                # A walrus (`(np := ...)`) binds in the enclosing scope.
                state.pop(node.id, None)
                return
            if _chain(node) is not None:
                self.symbols.update(self.resolve(node, state))
                return
        elif isinstance(node, ast.Call):
            module = self.dynamic_import(node, state)
            if module is not None:
                self.imported(module)
                self.symbols.add(module)
        elif isinstance(node, ast.NamedExpr):
            self.expression(node.value, state)
            aliased = self.value_targets(node.value, state)
            state.pop(node.target.id, None)
            if aliased:
                state[node.target.id] = aliased
            return
        elif isinstance(node, ast.Lambda):
            for default in (*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)):
                self.expression(default, state)
            body = dict(state)
            for name in _parameters(node.args):
                body.pop(name, None)
            self.expression(node.body, body)
            return
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            self.comprehension(node, state)
            return
        for child in ast.iter_child_nodes(node):
            self.expression(child, state)

    def comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, state: Bindings
    ) -> None:
        inner = dict(state)
        for generator in node.generators:
            self.expression(generator.iter, inner)
            self.target(generator.target, inner)
            for condition in generator.ifs:
                self.expression(condition, inner)
        elements = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for element in elements:
            self.expression(element, inner)
