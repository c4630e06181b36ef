#!/usr/bin/python3
"""mongo-bridge: a stand-in MongoDB server for the integration tests (no real mongod can be installed here).

    /usr/bin/python3 test/mongo-bridge.py [PORT] [--standalone]

MockupDB (Debian python3-mockupdb) speaks the wire protocol; mongomock (Debian python3-mongomock) is the query
engine. Binds 127.0.0.1 (no PORT or 0: a free port), prints one line `READY mongodb://127.0.0.1:PORT` once it
accepts connections, and exits on SIGTERM/SIGINT or when its parent process dies (no orphans from killed test
workers). Use /usr/bin/python3: pyenv's python3 does not see Debian's packages.

By default it advertises a single-node replica set primary (setName junction-bridge), so the driver allows sessions
and transactions with ?directConnection=true; --standalone advertises a standalone server, which rejects
transaction numbers with code 20 like a real standalone mongod.

Known gaps (none of them silent unless noted; the real-server run, MONGO_URL, is the authority):
  * Transactions snapshot the WHOLE server at startTransaction and restore it on abortTransaction: no isolation
    (uncommitted writes are visible to everyone, silently) and one transaction at a time, so use one client
    process per bridge instance. A second session starting a transaction while one is open gets an error.
  * Requests are handled one at a time; there is no auth, no TLS, no compression, no change streams.
  * mongomock gaps: $mul, $substrCP, pipeline-style updates, collation, views and `let` raise errors;
    $addToSet in $group turns 0 into null (silent); compound _ids compare regardless of key order (silent).
  * Collection validators (create/collMod) are stored and reported by listCollections but not enforced (silent).
  * listDatabases lists only databases that hold collections (no admin/config/local).
  * Duplicate-key errors name the index and key for inserts only; update/upsert conflicts omit them.
  * Top-level `_id` is moved first in every returned document, as mongod stores it (mongomock keeps it where the
    driver put it: last). Nested documents keep their order.
"""
import copy
import itertools
import json
import os
import signal
import sys
from datetime import datetime

import mockupdb
import mongomock
from bson.int64 import Int64
from bson.objectid import ObjectId
from mongomock.filtering import filter_applies
from mongomock.store import ServerStore

mongomock.SERVER_VERSION = '7.0.0'  # mongomock switches some behaviour on the version it pretends to be
MORE_TO_COME = mockupdb.OP_MSG_FLAGS['moreToCome']
DEFAULT_BATCH = 101
CODE_NAMES = {1: 'InternalError', 2: 'BadValue', 9: 'FailedToParse', 20: 'IllegalOperation', 26: 'NamespaceNotFound',
              27: 'IndexNotFound', 43: 'CursorNotFound', 48: 'NamespaceExists', 59: 'CommandNotFound',
              238: 'NotImplemented', 251: 'NoSuchTransaction', 11000: 'DuplicateKey'}
# Fields any command may carry that say nothing about the operation itself.
GENERIC_FIELDS = {'$db', 'lsid', '$clusterTime', 'txnNumber', 'autocommit', 'startTransaction', 'writeConcern',
                  'readConcern', '$readPreference', 'apiVersion', 'apiStrict', 'apiDeprecationErrors', 'comment',
                  'maxTimeMS'}
VALIDATION_OPTIONS = ('validator', 'validationLevel', 'validationAction')


class CommandError(Exception):
    def __init__(self, code, errmsg):
        super().__init__(errmsg)
        self.code = code


def error_reply(exc):
    if isinstance(exc, CommandError) or isinstance(exc, mongomock.OperationFailure):
        code = exc.code or 2
    elif isinstance(exc, NotImplementedError):
        code = 238
    elif isinstance(exc, (ValueError, TypeError, KeyError)):
        code = 2
    else:
        code = 1
    message = str(exc) or type(exc).__name__
    if code == 11000:
        message = message.replace('E11000 Duplicate Key Error', 'E11000 duplicate key error')
    return {'ok': 0, 'errmsg': message, 'code': code, 'codeName': CODE_NAMES.get(code, 'UnknownError')}


def id_first(doc):
    """mongod stores `_id` as the first field; mongomock keeps it where the driver put it (last)."""
    if isinstance(doc, dict) and '_id' in doc and next(iter(doc)) != '_id':
        return {'_id': doc['_id'], **{k: v for k, v in doc.items() if k != '_id'}}
    return doc


def as_sort(spec):
    return list(spec.items()) if spec else None


class Bridge:
    def __init__(self, port, standalone):
        self.standalone = standalone
        self.client = mongomock.MongoClient()
        self.options = {}  # (db, collection) → options given at create/collMod (validator, …)
        self.cursors = {}  # cursor id → (namespace, remaining documents)
        self.cursor_ids = itertools.count(1)
        self.connection_ids = itertools.count(1)
        self.txn = None  # (lsid, snapshot) while a transaction is open
        self.server = mockupdb.MockupDB(port=port or None, request_timeout=3600)
        self.server._address = ('127.0.0.1', port or None)  # MockupDB binds 'localhost'; be explicit
        self.host = None

    # ---- snapshots (transactions) -------------------------------------------------------------------------
    def snapshot(self):
        # mongomock's stores hold locks, which cannot be deep-copied: copy their contents. The keys of _documents
        # are _id values (hashdict for a document _id), which are never mutated in place.
        data = {db_name: {name: ({k: copy.deepcopy(v) for k, v in col._documents.items()},
                                 copy.deepcopy(col.indexes), col._is_force_created)
                          for name, col in db._collections.items() if col.is_created}
                for db_name, db in self.client._store._databases.items()}
        return data, copy.deepcopy(self.options)

    def restore(self, snap):
        data, self.options = snap
        store = ServerStore()
        for db_name, cols in data.items():
            for name, (docs, indexes, forced) in cols.items():
                col = store[db_name][name]
                col._documents.update(docs)
                col._is_force_created = forced
                for index_name, index in indexes.items():
                    col.create_index(index_name, index)
        self.client = mongomock.MongoClient(_store=store)

    # ---- helpers ----------------------------------------------------------------------------------------------
    def exists(self, db, name):
        return name in self.client[db].list_collection_names()

    def cursor_reply(self, ns, docs, batch_size, single_batch=False):
        docs = [id_first(d) for d in docs]
        size = DEFAULT_BATCH if batch_size is None else batch_size
        first, rest = (docs, []) if single_batch else (docs[:size], docs[size:])
        cursor_id = 0
        if rest:
            cursor_id = next(self.cursor_ids)
            self.cursors[cursor_id] = (ns, rest)
        return {'cursor': {'firstBatch': first, 'id': Int64(cursor_id), 'ns': ns}, 'ok': 1}

    def duplicate_key_error(self, db, coll, doc=None):
        """mongomock says only 'E11000 Duplicate Key Error'; name the index and key the way mongod does."""
        error = {'code': 11000, 'errmsg': 'E11000 duplicate key error collection: %s.%s' % (db, coll.name)}
        if doc is not None:
            unique = [(name, ix['key']) for name, ix in coll.index_information().items()
                      if name == '_id_' or ix.get('unique')]
            for name, key in unique:
                value = {field: self.get_path(doc, field) for field, _ in key}
                if coll.find_one(value) is not None:
                    shown = ', '.join('%s: %s' % (k, json.dumps(v, default=repr)) for k, v in value.items())
                    error['errmsg'] += ' index: %s dup key: { %s }' % (name, shown)
                    error.update(keyPattern=dict(key), keyValue=value)
                    break
        return error

    @staticmethod
    def get_path(doc, path):
        for part in path.split('.'):
            doc = doc.get(part) if isinstance(doc, dict) else None
        return doc

    def write_error(self, index, exc, db, coll, doc=None):
        if isinstance(exc, mongomock.DuplicateKeyError):
            return {'index': index, **self.duplicate_key_error(db, coll, doc)}
        reply = error_reply(exc)
        return {'index': index, 'code': reply['code'], 'errmsg': reply['errmsg']}

    # ---- dispatch -------------------------------------------------------------------------------------------
    def handle(self, request):
        cmd, db = request.doc, request.namespace
        name = request.command_name
        if 'txnNumber' in cmd and self.standalone:
            raise CommandError(20, 'Transaction numbers are only allowed on a replica set member or mongos')
        if cmd.get('startTransaction'):
            lsid = cmd.get('lsid', {}).get('id')
            if self.txn is not None and self.txn[0] != lsid:
                raise CommandError(20, 'mongo-bridge runs one transaction at a time (whole-server snapshot)')
            if self.txn is None:
                self.txn = (lsid, self.snapshot())
        handler = getattr(self, 'cmd_' + COMMANDS.get(name, '_'), None)
        if handler is None:
            raise CommandError(59, "no such command: '%s'" % name)
        return handler(cmd, db, name)

    def cmd_ping(self, cmd, db, name):
        return {'ok': 1}

    def cmd_hello(self, cmd, db, name):
        reply = {'helloOk': True, 'isWritablePrimary' if name == 'hello' else 'ismaster': True,
                 'maxBsonObjectSize': 16 * 1024 * 1024, 'maxMessageSizeBytes': 48000000,
                 'maxWriteBatchSize': 100000, 'localTime': datetime.utcnow(), 'logicalSessionTimeoutMinutes': 30,
                 'connectionId': next(self.connection_ids), 'minWireVersion': 0, 'maxWireVersion': 21,
                 'readOnly': False, 'ok': 1}
        if not self.standalone:
            reply.update(setName='junction-bridge', setVersion=1, hosts=[self.host], primary=self.host,
                         me=self.host, secondary=False, electionId=ObjectId('7fffffff0000000000000001'))
        return reply

    def cmd_buildInfo(self, cmd, db, name):
        return {'version': '7.0.0', 'versionArray': [7, 0, 0, 0], 'gitVersion': 'mongo-bridge', 'bits': 64,
                'maxBsonObjectSize': 16 * 1024 * 1024, 'modules': [], 'ok': 1}

    def cmd_endSessions(self, cmd, db, name):
        if self.txn is not None and any(s.get('id') == self.txn[0] for s in cmd.get('endSessions', [])):
            self.restore(self.txn[1])  # ending a session aborts its open transaction
            self.txn = None
        return {'ok': 1}

    def cmd_transaction(self, cmd, db, name):
        if self.txn is None:
            if name == 'commitTransaction':
                return {'ok': 1}  # a retried commit of a committed transaction succeeds on mongod too
            raise CommandError(251, 'Transaction is not in progress (mongo-bridge)')
        if name == 'abortTransaction':
            self.restore(self.txn[1])
        self.txn = None
        return {'ok': 1}

    def cmd_listDatabases(self, cmd, db, name):
        dbs = [{'name': n, 'sizeOnDisk': 0, 'empty': False} for n in self.client.list_database_names()]
        dbs = [d for d in dbs if filter_applies(cmd.get('filter') or {}, d)]
        if cmd.get('nameOnly'):
            dbs = [{'name': d['name']} for d in dbs]
        return {'databases': dbs, 'totalSize': 0, 'ok': 1}

    def cmd_listCollections(self, cmd, db, name):
        entries = [{'name': n, 'type': 'collection', 'options': copy.deepcopy(self.options.get((db, n), {})),
                    'info': {'readOnly': False}, 'idIndex': {'v': 2, 'key': {'_id': 1}, 'name': '_id_'}}
                   for n in self.client[db].list_collection_names()]
        entries = [e for e in entries if filter_applies(cmd.get('filter') or {}, e)]
        if cmd.get('nameOnly'):
            entries = [{'name': e['name'], 'type': e['type']} for e in entries]
        return self.cursor_reply(db + '.$cmd.listCollections', entries, cmd.get('cursor', {}).get('batchSize'))

    def cmd_create(self, cmd, db, name):
        coll, options = cmd['create'], {k: v for k, v in cmd.items() if k not in GENERIC_FIELDS and k != 'create'}
        if 'viewOn' in options or 'timeseries' in options:
            raise NotImplementedError('mongo-bridge does not support views or time-series collections')
        if self.exists(db, coll):
            if self.options.get((db, coll), {}) == options:
                return {'ok': 1}
            raise CommandError(48, 'Collection %s.%s already exists.' % (db, coll))
        self.client[db].create_collection(coll)
        self.options[(db, coll)] = options
        return {'ok': 1}

    def cmd_collMod(self, cmd, db, name):
        coll = cmd['collMod']
        changes = {k: v for k, v in cmd.items() if k not in GENERIC_FIELDS and k != 'collMod'}
        unsupported = set(changes) - set(VALIDATION_OPTIONS)
        if unsupported:
            raise NotImplementedError('mongo-bridge collMod supports only %s, not %s' % (VALIDATION_OPTIONS,
                                                                                        sorted(unsupported)))
        if not self.exists(db, coll):
            raise CommandError(26, 'ns does not exist: %s.%s' % (db, coll))
        self.options.setdefault((db, coll), {}).update(changes)
        return {'ok': 1}

    def cmd_drop(self, cmd, db, name):
        self.client[db].drop_collection(cmd['drop'])
        self.options.pop((db, cmd['drop']), None)
        return {'ns': '%s.%s' % (db, cmd['drop']), 'ok': 1}

    def cmd_dropDatabase(self, cmd, db, name):
        self.client.drop_database(db)
        self.options = {key: value for key, value in self.options.items() if key[0] != db}
        return {'dropped': db, 'ok': 1}

    def cmd_createIndexes(self, cmd, db, name):
        coll = self.client[db][cmd['createIndexes']]
        created = self.exists(db, coll.name)
        before = len(coll.index_information()) if created else 1
        for spec in cmd['indexes']:
            extra = {k: spec[k] for k in ('unique', 'sparse', 'expireAfterSeconds', 'partialFilterExpression')
                     if k in spec}
            coll.create_index(list(spec['key'].items()), name=spec['name'], **extra)
        return {'numIndexesBefore': before, 'numIndexesAfter': len(coll.index_information()),
                'createdCollectionAutomatically': not created, 'ok': 1}

    def cmd_listIndexes(self, cmd, db, name):
        coll = self.client[db][cmd['listIndexes']]
        if not self.exists(db, coll.name):
            raise CommandError(26, 'ns does not exist: %s.%s' % (db, coll.name))
        indexes = [{'v': 2, 'key': dict(info['key']), 'name': index_name,
                    **{k: v for k, v in info.items() if k not in ('v', 'key')}}
                   for index_name, info in coll.index_information().items()]
        return self.cursor_reply('%s.%s' % (db, coll.name), indexes, cmd.get('cursor', {}).get('batchSize'))

    def cmd_dropIndexes(self, cmd, db, name):
        coll = self.client[db][cmd['dropIndexes']]
        was = len(coll.index_information())
        index = cmd['index']
        try:
            if index == '*':
                coll.drop_indexes()
            else:
                for one in (index if isinstance(index, list) else [index]):
                    coll.drop_index(list(one.items()) if isinstance(one, dict) else one)
        except mongomock.OperationFailure as exc:
            raise CommandError(27, str(exc)) from exc
        return {'nIndexesWas': was, 'ok': 1}

    def cmd_find(self, cmd, db, name):
        for unsupported in ('collation', 'let'):
            if cmd.get(unsupported):
                raise NotImplementedError('mongo-bridge (mongomock) does not support %s in find' % unsupported)
        limit = cmd.get('limit') or 0
        coll = self.client[db][cmd['find']]
        docs = list(coll.find(cmd.get('filter') or {}, cmd.get('projection') or None, sort=as_sort(cmd.get('sort')),
                              skip=cmd.get('skip') or 0, limit=abs(limit)))
        return self.cursor_reply('%s.%s' % (db, coll.name), docs, cmd.get('batchSize'),
                                 bool(cmd.get('singleBatch')) or limit < 0)

    def cmd_getMore(self, cmd, db, name):
        cursor_id = int(cmd['getMore'])
        if cursor_id not in self.cursors:
            raise CommandError(43, 'cursor id %d not found' % cursor_id)
        ns, docs = self.cursors.pop(cursor_id)
        size = cmd.get('batchSize') or len(docs)
        batch, rest = docs[:size], docs[size:]
        if rest:
            self.cursors[cursor_id] = (ns, rest)
        return {'cursor': {'nextBatch': batch, 'id': Int64(cursor_id if rest else 0), 'ns': ns}, 'ok': 1}

    def cmd_killCursors(self, cmd, db, name):
        ids = [int(i) for i in cmd.get('cursors', [])]
        killed = [Int64(i) for i in ids if self.cursors.pop(i, None) is not None]
        return {'cursorsKilled': killed, 'cursorsNotFound': [Int64(i) for i in ids if Int64(i) not in killed],
                'cursorsAlive': [], 'cursorsUnknown': [], 'ok': 1}

    def cmd_count(self, cmd, db, name):
        kwargs = {'skip': cmd.get('skip') or 0}
        if cmd.get('limit'):
            kwargs['limit'] = abs(cmd['limit'])
        return {'n': self.client[db][cmd['count']].count_documents(cmd.get('query') or {}, **kwargs), 'ok': 1}

    def cmd_aggregate(self, cmd, db, name):
        if not isinstance(cmd['aggregate'], str):
            raise NotImplementedError('mongo-bridge supports only collection-level aggregate')
        if cmd.get('explain') or cmd.get('collation') or cmd.get('let'):
            raise NotImplementedError('mongo-bridge (mongomock) does not support explain, collation or let')
        coll = self.client[db][cmd['aggregate']]
        docs = list(coll.aggregate(cmd['pipeline']))
        return self.cursor_reply('%s.%s' % (db, coll.name), docs, cmd.get('cursor', {}).get('batchSize'))

    def cmd_distinct(self, cmd, db, name):
        return {'values': self.client[db][cmd['distinct']].distinct(cmd['key'], cmd.get('query') or {}), 'ok': 1}

    def cmd_insert(self, cmd, db, name):
        coll, ordered, n, errors = self.client[db][cmd['insert']], cmd.get('ordered', True), 0, []
        for index, doc in enumerate(cmd.get('documents', [])):
            try:
                coll.insert_one(doc)
                n += 1
            except Exception as exc:  # noqa: BLE001 (every failure becomes a writeError, as on mongod)
                errors.append(self.write_error(index, exc, db, coll, doc))
                if ordered:
                    break
        return {'n': n, **({'writeErrors': errors} if errors else {}), 'ok': 1}

    def update_one_statement(self, coll, st):
        q, u, upsert, multi = st.get('q') or {}, st['u'], bool(st.get('upsert')), bool(st.get('multi'))
        if isinstance(u, list):
            raise NotImplementedError('pipeline-style updates are not implemented by mongomock')
        if u and all(k.startswith('$') for k in u):
            extra = {'array_filters': st.get('arrayFilters'), 'collation': st.get('collation')}
            return (coll.update_many if multi else coll.update_one)(q, u, upsert=upsert, **extra).raw_result
        if multi:
            raise CommandError(9, 'multi update is not supported for replacement-style update')
        return coll.replace_one(q, u, upsert=upsert).raw_result

    def cmd_update(self, cmd, db, name):
        coll, ordered = self.client[db][cmd['update']], cmd.get('ordered', True)
        n = modified = 0
        upserted, errors = [], []
        for index, st in enumerate(cmd.get('updates', [])):
            try:
                raw = self.update_one_statement(coll, st)
            except Exception as exc:  # noqa: BLE001
                errors.append(self.write_error(index, exc, db, coll))
                if ordered:
                    break
                continue
            n, modified = n + raw['n'], modified + raw['nModified']
            if raw['upserted'] is not None:
                upserted.append({'index': index, '_id': raw['upserted']})
        reply = {'n': n, 'nModified': modified, 'ok': 1}
        if upserted:
            reply['upserted'] = upserted
        if errors:
            reply['writeErrors'] = errors
        return reply

    def cmd_delete(self, cmd, db, name):
        coll, ordered, n, errors = self.client[db][cmd['delete']], cmd.get('ordered', True), 0, []
        for index, st in enumerate(cmd.get('deletes', [])):
            try:
                delete = coll.delete_one if st.get('limit') == 1 else coll.delete_many
                n += delete(st.get('q') or {}, collation=st.get('collation')).deleted_count
            except Exception as exc:  # noqa: BLE001
                errors.append(self.write_error(index, exc, db, coll))
                if ordered:
                    break
        return {'n': n, **({'writeErrors': errors} if errors else {}), 'ok': 1}

    def cmd_findAndModify(self, cmd, db, name):
        coll = self.client[db][cmd[name]]
        fields = cmd.get('fields') or None
        old = coll.find_one(cmd.get('query') or {}, sort=as_sort(cmd.get('sort')))
        shown_old = coll.find_one({'_id': old['_id']}, fields) if old is not None and fields else old
        if cmd.get('remove'):
            if old is not None:
                coll.delete_one({'_id': old['_id']})
            return {'lastErrorObject': {'n': int(old is not None)}, 'value': id_first(shown_old), 'ok': 1}
        if old is None and not cmd.get('upsert'):
            return {'lastErrorObject': {'n': 0, 'updatedExisting': False}, 'value': None, 'ok': 1}
        try:
            statement = {'q': {'_id': old['_id']} if old is not None else cmd.get('query') or {},
                         'u': cmd['update'], 'upsert': old is None, 'arrayFilters': cmd.get('arrayFilters')}
            raw = self.update_one_statement(coll, statement)
        except mongomock.DuplicateKeyError:
            raise CommandError(11000, self.duplicate_key_error(db, coll)['errmsg']) from None
        last = {'n': 1, 'updatedExisting': old is not None}
        new_id = old['_id'] if old is not None else raw['upserted']
        if old is None:
            last['upserted'] = new_id
        value = coll.find_one({'_id': new_id}, fields) if cmd.get('new') else shown_old
        return {'lastErrorObject': last, 'value': id_first(value), 'ok': 1}


COMMANDS = {name: name for name in (
    'ping', 'buildInfo', 'endSessions', 'listDatabases', 'listCollections', 'create', 'collMod', 'drop',
    'dropDatabase', 'createIndexes', 'listIndexes', 'dropIndexes', 'find', 'getMore', 'killCursors', 'count',
    'aggregate', 'distinct', 'insert', 'update', 'delete', 'findAndModify')}
COMMANDS.update(hello='hello', isMaster='hello', ismaster='hello', buildinfo='buildInfo',
                findandmodify='findAndModify', commitTransaction='transaction', abortTransaction='transaction')


def main(argv):
    args = [a for a in argv if a != '--standalone']
    port = int(args[0]) if args else 0
    bridge = Bridge(port, standalone='--standalone' in argv)
    stopping, parent = [], os.getppid()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.append(True))
    port = bridge.server.run()
    bridge.host = '127.0.0.1:%d' % port
    print('READY mongodb://%s' % bridge.host, flush=True)
    while not stopping and os.getppid() == parent:
        try:
            request = bridge.server.receives(timeout=0.5)  # MockupDB raises after an idle timeout: loop
        except AssertionError:
            continue
        except OSError:
            continue  # a client closed its socket while MockupDB was matching its request: nothing to answer
        if request is None:
            break
        if not request.is_command:
            print('mongo-bridge: ignoring legacy opcode %r' % request, file=sys.stderr)
            continue
        try:
            reply = bridge.handle(request)
        except Exception as exc:  # noqa: BLE001 (a failing command is an error reply, never a dead server)
            reply = error_reply(exc)
        if isinstance(request, mockupdb.OpMsg) and request.flags & MORE_TO_COME:
            continue  # unacknowledged (w:0): the client expects no reply, and MockupDB would crash on one
        try:
            request.replies(reply)
        except Exception as exc:  # noqa: BLE001 (e.g. a result BSON cannot encode)
            try:
                request.replies(error_reply(exc))
            except Exception as final:  # noqa: BLE001 (client gone)
                print('mongo-bridge: could not reply: %r' % final, file=sys.stderr)
    bridge.server.stop()


if __name__ == '__main__':
    main(sys.argv[1:])
