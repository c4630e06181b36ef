// A SQL statement being written: text with the dialect's placeholders and the values bound to them, in order.
// The compiler writes left to right, so placeholders and values always line up.
import type { SqlDialect } from './capabilities.js';

export interface Statement {
  text: string;
  bindings: unknown[];
}

export class SqlText implements Statement {
  text = '';
  readonly bindings: unknown[] = [];
  /** Next table alias number: subqueries take fresh aliases so column references never clash. */
  private aliases = 0;

  constructor(readonly dialect: SqlDialect) {}

  /** Registers a value and returns its placeholder. */
  bind(value: unknown): string {
    this.bindings.push(value);
    return this.dialect.placeholder(this.bindings.length);
  }

  id(name: string): string {
    return this.dialect.quote(name);
  }

  col(alias: string, name: string): string {
    return `${this.dialect.quote(alias)}.${this.dialect.quote(name)}`;
  }

  table(name: string, alias: string): string {
    return `${this.dialect.quote(name)} as ${this.dialect.quote(alias)}`;
  }

  alias(): string {
    this.aliases += 1;
    return `t${this.aliases - 1}`;
  }
}
