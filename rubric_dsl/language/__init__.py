"""The rubric language: grammar, parser facade, tree → AST builder, AST nodes, static checker, formatter."""
