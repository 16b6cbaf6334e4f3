// Read-only list queries without entity hydration, for the hot list endpoints (GET /api/runs,
// GET /api/support/tickets, ...), whose rows go straight into response DTOs and are never changed.
//
// Why: profiling `npm run bench:load` showed `em.find` for a page of 20 rows costing about
// 450-650 µs of CPU (query building, one entity, one identity-map entry and one change-tracking
// snapshot per row). Entities stay the way to read anything that is then changed.
//
// Why not knex either: a list has one shape (select these columns, where these conditions, order,
// limit), and building it through knex's query builder and running it through knex's runner and
// MikroORM's logging wrapper cost about 100 µs per request over the query itself, a third of what
// GET /api/runs spent above its raw-query floor in `npm run bench:load` (issue 24). So the
// statement is written here, as parameterised SQL (`$1`, `$2`: values never enter the text), with
// quoted column names taken from the entity metadata, and it runs on a connection of the ORM's own
// pool (or the context's transaction), the same pg connection knex would have used: the same pool
// size, the same type parsers, the same embedded (PGlite) socket.
//
// Rows are converted by the ORM's own result mapper (column names to property names, timestamps
// to Date, JSON parsed), so they have the entity's shape and DTO mappers take entities and rows alike.
import { EntityClass, EntityDictionary, EntityKey, EntityManager, EntityMetadata } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/knex';
import type { QueryResult } from 'pg';

/** The columns every per-user, soft-deletable table has. */
interface OwnedRow {
  userId?: string | null;
  deletedAt?: Date | null;
}

/** The comparisons a list condition may use. */
export type ListOperator = '=' | '<' | '<=' | '>' | '>=';

/** The part of a pg client a list needs. */
interface PgConnection {
  query(config: { text: string; values: unknown[] }): Promise<QueryResult<EntityDictionary<object>>>;
}

/** The part of knex's client a list needs: its pool, and its `query` event (see DatabaseQueryCounter). */
interface KnexPoolClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
  emit(event: 'query', query: { method: 'select'; sql: string; bindings: unknown[] }): boolean;
}

export class ListQuery<T extends object, P extends keyof T & string> {
  private readonly meta: EntityMetadata<T>;
  private readonly selectList: string;
  private readonly conditions: string[] = [];
  private readonly values: unknown[] = [];
  private orderAndLimit = '';

  constructor(
    private readonly em: EntityManager,
    entity: EntityClass<T>,
    properties: readonly P[],
  ) {
    this.meta = em.getMetadata().get<T>(entity.name);
    this.selectList = properties.map((property) => quoteIdentifier(this.column(property))).join(', ');
  }

  /** The column of a property (an arrow function, so it can be destructured). */
  readonly column = (property: keyof T & string): string => {
    const fieldNames = this.meta.properties[property as EntityKey<T>]?.fieldNames;
    if (fieldNames?.length !== 1) throw new Error(`${this.meta.className}.${property} is not a single-column property`);
    return fieldNames[0];
  };

  /** Only rows whose `property` compares to `value` with `operator`. */
  where(property: keyof T & string, operator: ListOperator, value: unknown): this {
    this.conditions.push(`${quoteIdentifier(this.column(property))} ${operator} ${this.bind(value)}`);
    return this;
  }

  /** Only rows whose `property` is null. */
  whereNull(property: keyof T & string): this {
    this.conditions.push(`${quoteIdentifier(this.column(property))} is null`);
    return this;
  }

  /** Only `userId`'s rows that are not soft-deleted: where every list a person sees starts. */
  ownedBy(this: ListQuery<T & OwnedRow, P>, userId: string): ListQuery<T & OwnedRow, P> {
    return this.where('userId', '=', userId).whereNull('deletedAt');
  }

  /**
   * Newest first by `time`, ties broken by `tieBreaker` (both descending), at most `limit` rows,
   * and only rows after `before` in that order when given: keyset paging, which stays exact
   * while rows are added and costs the same on every page. The row comparison
   * `(time, tie) < (a, b)` is PostgreSQL's `time < a or (time = a and tie < b)`.
   */
  newestFirst<K extends keyof T & string, L extends keyof T & string>(time: K, tieBreaker: L, limit: number, before?: Pick<T, K | L>): this {
    const [timeColumn, tieColumn] = [quoteIdentifier(this.column(time)), quoteIdentifier(this.column(tieBreaker))];
    if (before) this.conditions.push(`(${timeColumn}, ${tieColumn}) < (${this.bind(before[time])}, ${this.bind(before[tieBreaker])})`);
    this.orderAndLimit = ` order by ${timeColumn} desc, ${tieColumn} desc limit ${this.bind(limit)}`;
    return this;
  }

  /** The statement as sent: parameterised text and its values. */
  get statement(): { text: string; values: unknown[] } {
    const where = this.conditions.length === 0 ? '' : ` where ${this.conditions.join(' and ')}`;
    return { text: `select ${this.selectList} from ${quoteIdentifier(this.meta.tableName)}${where}${this.orderAndLimit}`, values: [...this.values] };
  }

  /**
   * Runs the statement on the context's transaction when there is one (knex's transaction client
   * hands out the transaction's connection), on a connection of the ORM's pool otherwise.
   */
  async rows(): Promise<Pick<T, P>[]> {
    const { text, values } = this.statement;
    const transaction = this.em.getTransactionContext<Knex.Transaction>();
    const client = (transaction ?? this.em.getConnection().getKnex()).client as unknown as KnexPoolClient;
    const connection = await client.acquireConnection();
    const startedAt = Date.now();
    let result: QueryResult<EntityDictionary<object>>;
    try {
      // knex's own event for every statement, in the caller's async context, as knex fires it:
      // the per-user query counts of Monitoring listen to it.
      client.emit('query', { method: 'select', sql: text, bindings: values });
      result = await connection.query({ text, values });
    } catch (error) {
      this.logStatement(text, startedAt, { level: 'error' });
      throw error;
    } finally {
      await client.releaseConnection(connection);
    }
    this.logStatement(text, startedAt, { results: result.rows.length });
    const comparator = this.em.getComparator();
    return result.rows.map((row) => comparator.mapResult<T>(this.meta.className, row as EntityDictionary<T>) as unknown as Pick<T, P>);
  }

  /**
   * The ORM's query log (`debug: true`), as its own statements are logged there: the text only,
   * whose values are `$n` parameters, so no value of a person reaches the log.
   */
  private logStatement(text: string, startedAt: number, context: { level?: 'error'; results?: number }): void {
    const logger = this.em.config.getLogger();
    if (logger.isEnabled('query')) logger.logQuery({ query: text, took: Date.now() - startedAt, level: 'info', ...context });
  }

  private bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A PostgreSQL quoted identifier (names come from entity metadata, but quoting keeps any name a name). */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function listQuery<T extends object, P extends keyof T & string>(
  em: EntityManager,
  entity: EntityClass<T>,
  properties: readonly P[],
): ListQuery<T, P> {
  return new ListQuery(em, entity, properties);
}
