// PostGraphile v5 peer for bench/graphql-workload.ts: the Amber preset, the connection-filter plugin, pool
// max 10, and PgIndexBehaviorsPlugin disabled (the v4 default: Amber otherwise hides filter/orderBy on
// non-indexed columns such as track.name). The bench passes the database and port through the environment.
import { makePgService } from 'postgraphile/adaptors/pg';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { PostGraphileConnectionFilterPreset } from 'postgraphile-plugin-connection-filter';

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  disablePlugins: ['PgIndexBehaviorsPlugin'],
  pgServices: [
    makePgService({
      connectionString: process.env.BENCH_PG_URL,
      schemas: ['public'],
      poolConfig: { max: 10 },
    }),
  ],
  grafserv: {
    host: '127.0.0.1',
    port: Number(process.env.BENCH_PORT ?? 5678),
    graphqlPath: '/graphql',
    watch: false,
  },
  grafast: { explain: false },
};

export default preset;
