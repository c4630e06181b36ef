// Response negotiation and encoding (JSON, XML, CSV, downloads) and request body parsing (compat §2.2, §12).
import { describe, expect, it } from 'vitest';
import { parseRestBody } from '../../../src/rest/formats/body.js';
import { encodeRestResponse } from '../../../src/rest/formats/encode.js';
import { responseFormat } from '../../../src/rest/formats/negotiate.js';

const albums = {
  resource: [
    { AlbumId: 1, Title: 'For Those About To Rock', ArtistId: 1 },
    { AlbumId: 4, Title: 'Let There Be Rock & Roll', ArtistId: 1 },
  ],
};
const notFound = {
  error: {
    code: 404,
    context: null,
    message: 'Table &quot;Nope&quot; does not exist in the database.',
    status_code: 404,
  },
};

function request(body: BodyInit | null, contentType?: string, headers: Record<string, string> = {}): Request {
  return new Request('http://localhost/api/v2/chinook/_table/Album', {
    method: 'POST',
    body,
    headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers },
  });
}

describe('responseFormat (compat §12)', () => {
  it('answers JSON when nothing or */* is asked for', () => {
    expect(responseFormat(null, null)).toBe('json');
    expect(responseFormat('', '')).toBe('json');
    expect(responseFormat(null, '*/*')).toBe('json');
    expect(responseFormat(null, 'application/json; charset=utf-8')).toBe('json');
  });

  it('recognises the XML and CSV media types', () => {
    expect(responseFormat(null, 'application/xml')).toBe('xml');
    expect(responseFormat(null, 'text/xml')).toBe('xml');
    expect(responseFormat(null, 'text/csv')).toBe('csv');
  });

  it('lets the accept parameter override the Accept header', () => {
    expect(responseFormat('text/csv', 'application/json')).toBe('csv');
    expect(responseFormat('xml', 'application/json')).toBe('xml');
  });

  it('picks by quality, then by order, skipping types it cannot produce', () => {
    expect(responseFormat(null, 'text/csv;q=0.5, application/json')).toBe('json');
    expect(responseFormat(null, 'text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8')).toBe(
      'xml',
    );
    expect(responseFormat(null, 'image/png, */*;q=0.1')).toBe('json');
  });

  it('returns null when no acceptable type can be produced', () => {
    expect(responseFormat(null, 'text/html')).toBeNull();
    expect(responseFormat('image/png', null)).toBeNull();
    expect(responseFormat(null, 'constructor')).toBeNull();
  });
});

describe('encodeRestResponse (compat §12)', () => {
  it('sends JSON with application/json', async () => {
    const response = encodeRestResponse({ status: 200, body: albums }, 'json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual(albums);
  });

  it('sends a bare number for count_only', async () => {
    expect(await encodeRestResponse({ status: 200, body: 347 }, 'json').text()).toBe('347');
  });

  it('wraps XML in <dfapi> and repeats list items as <resource>', async () => {
    const response = encodeRestResponse({ status: 200, body: albums }, 'xml');
    expect(response.headers.get('content-type')).toBe('application/xml');
    expect(await response.text()).toBe(
      '<?xml version="1.0" ?><dfapi>' +
        '<resource><AlbumId>1</AlbumId><Title>For Those About To Rock</Title><ArtistId>1</ArtistId></resource>' +
        '<resource><AlbumId>4</AlbumId><Title>Let There Be Rock &amp; Roll</Title><ArtistId>1</ArtistId></resource>' +
        '</dfapi>',
    );
  });

  it('treats a bare array as a resource list in XML and makes odd column names valid', async () => {
    const response = encodeRestResponse({ status: 200, body: [{ 'Unit Price': 0.99, '1st': true }] }, 'xml');
    expect(await response.text()).toBe(
      '<?xml version="1.0" ?><dfapi><resource><Unit_Price>0.99</Unit_Price><_1st>true</_1st></resource></dfapi>',
    );
  });

  it('renders as_list names and errors in XML', async () => {
    const list = encodeRestResponse({ status: 200, body: { resource: ['Album', 'Artist'] } }, 'xml');
    expect(await list.text()).toBe(
      '<?xml version="1.0" ?><dfapi><resource>Album</resource><resource>Artist</resource></dfapi>',
    );
    const error = encodeRestResponse({ status: 404, body: notFound }, 'xml');
    expect(error.status).toBe(404);
    expect(await error.text()).toContain('<error><code>404</code><context/><message>');
  });

  it('writes CSV with a header from the first record and JSON-encoded nested values', async () => {
    const body = {
      resource: [
        { ArtistId: 1, Name: 'AC/DC', Album_by_ArtistId: [{ Title: 'Let There Be Rock' }] },
        { ArtistId: 2, Name: 'Accept, "the band"', Album_by_ArtistId: [] },
      ],
    };
    const response = encodeRestResponse({ status: 200, body }, 'csv');
    expect(response.headers.get('content-type')).toBe('text/csv');
    expect(await response.text()).toBe(
      'ArtistId,Name,Album_by_ArtistId\n' +
        '1,AC/DC,"[{""Title"":""Let There Be Rock""}]"\n' +
        '2,"Accept, ""the band""",[]\n',
    );
  });

  it('writes CSV for a bare array, one record and an error', async () => {
    expect(await encodeRestResponse({ status: 200, body: [{ a: 1, b: null }] }, 'csv').text()).toBe(
      'a,b\n1,\n',
    );
    expect(await encodeRestResponse({ status: 200, body: { AlbumId: 1 } }, 'csv').text()).toBe(
      'AlbumId\n1\n',
    );
    const error = encodeRestResponse({ status: 404, body: notFound }, 'csv');
    expect(error.status).toBe(404);
    expect(await error.text()).toBe(
      'code,context,message,status_code\n404,,Table &quot;Nope&quot; does not exist in the database.,404\n',
    );
  });

  it('forces CSV and an attachment header for file=albums.csv', async () => {
    const response = encodeRestResponse({ status: 200, body: albums }, 'json', 'albums.csv');
    expect(response.headers.get('content-type')).toBe('text/csv');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="albums.csv";');
    expect((await response.text()).split('\n')[0]).toBe('AlbumId,Title,ArtistId');
  });

  it('forces XML or JSON downloads by extension, and names file=true downloads after the resource', async () => {
    const xml = encodeRestResponse({ status: 200, body: albums }, 'json', 'albums.xml');
    expect(xml.headers.get('content-type')).toBe('application/xml');
    expect(xml.headers.get('content-disposition')).toBe('attachment; filename="albums.xml";');
    const json = encodeRestResponse({ status: 200, body: albums }, null, 'albums.json');
    expect(json.headers.get('content-type')).toBe('application/json');
    const named = encodeRestResponse({ status: 200, body: albums }, 'json', 'true', '_table/Album');
    expect(named.headers.get('content-disposition')).toBe('attachment; filename="_table/Album.json";');
  });

  it('never makes an error a download', () => {
    const response = encodeRestResponse({ status: 404, body: notFound }, 'json', 'albums.csv');
    expect(response.headers.get('content-disposition')).toBeNull();
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('answers an unconvertible Accept on a success with 400 in JSON', async () => {
    const response = encodeRestResponse({ status: 200, body: albums }, null);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      error: {
        code: 400,
        context: null,
        message: 'Content in response can not be resolved to acceptable content type.',
        status_code: 400,
      },
    });
  });

  it('still sends errors, as JSON, when the Accept is unconvertible', async () => {
    const response = encodeRestResponse({ status: 404, body: notFound }, null);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(notFound);
  });
});

describe('parseRestBody (compat §2.2)', () => {
  it('parses JSON by content type, and without one when the body looks like JSON', async () => {
    expect(await parseRestBody(request('{"resource":[{"Name":"x"}]}', 'application/json'), 1000)).toEqual({
      resource: [{ Name: 'x' }],
    });
    expect(await parseRestBody(request('[{"Name":"x"}]'), 1000)).toEqual([{ Name: 'x' }]);
  });

  it('returns undefined for an empty body', async () => {
    expect(await parseRestBody(request(null), 1000)).toBeUndefined();
    expect(await parseRestBody(request('', 'application/json'), 1000)).toBeUndefined();
    expect(await parseRestBody(request('  \n', 'application/json'), 1000)).toBeUndefined();
  });

  it('rejects invalid JSON with 400 and a short reason, no stack', async () => {
    const error = await parseRestBody(request('{"Name": }', 'application/json'), 1000).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ status: 400 });
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid JSON in request body: \S/);
    expect(message).not.toContain('\n');
    expect(message).not.toMatch(/\bat .*\.js/);
  });

  it('parses form fields into an object, with name[] as a list', async () => {
    const body = 'Name=AC%2FDC&ArtistId=1&tag[]=a&tag[]=b';
    expect(await parseRestBody(request(body, 'application/x-www-form-urlencoded'), 1000)).toEqual({
      Name: 'AC/DC',
      ArtistId: '1',
      tag: ['a', 'b'],
    });
  });

  it('takes a JSON body sent with the form type (curl -d) as JSON', async () => {
    expect(await parseRestBody(request('{"a":1}', 'application/x-www-form-urlencoded'), 1000)).toEqual({
      a: 1,
    });
  });

  it('turns CSV rows into a resource list of strings', async () => {
    const csv = '\ufeffName,ArtistId\n"AC/DC, live",1\nAccept,2\n';
    expect(await parseRestBody(request(csv, 'text/csv'), 1000)).toEqual({
      resource: [
        { Name: 'AC/DC, live', ArtistId: '1' },
        { Name: 'Accept', ArtistId: '2' },
      ],
    });
  });

  it('strips the XML root element, keeps resource items a list and decodes the standard entities', async () => {
    const xml =
      '<?xml version="1.0"?><dfapi><resource><Name>AC&amp;DC &#65;&#x42;</Name><ArtistId>1</ArtistId></resource></dfapi>';
    expect(await parseRestBody(request(xml, 'application/xml'), 1000)).toEqual({
      resource: [{ Name: 'AC&DC AB', ArtistId: '1' }],
    });
    const two = '<dfapi><resource><Name>a</Name></resource><resource><Name>b</Name></resource></dfapi>';
    expect(await parseRestBody(request(two, 'text/xml'), 1000)).toEqual({
      resource: [{ Name: 'a' }, { Name: 'b' }],
    });
  });

  it('keeps the root element when it is the resource wrapper', async () => {
    const xml = '<resource><Name>x</Name></resource>';
    expect(await parseRestBody(request(xml, 'application/xml'), 1000)).toEqual({ resource: [{ Name: 'x' }] });
  });

  it('rejects malformed XML with 400', async () => {
    await expect(parseRestBody(request('<a><b></a>', 'application/xml'), 1000)).rejects.toMatchObject({
      status: 400,
    });
  });

  it('rejects a billion-laughs document without expanding anything', async () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => {
        const prev = i === 0 ? 'lol' : `lol${i}`;
        return `<!ENTITY lol${i + 1} "${`&${prev};`.repeat(10)}">`;
      }).join('') +
      ']><lolz>&lol9;</lolz>';
    const started = Date.now();
    await expect(parseRestBody(request(lol, 'application/xml'), 100_000)).rejects.toMatchObject({
      status: 400,
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('never reads an external entity', async () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r><a>&xxe;</a></r>';
    const error = await parseRestBody(request(xxe, 'application/xml'), 100_000).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400 });
    expect((error as Error).message).not.toContain('root:');
  });

  it('leaves an undeclared entity reference as literal text', async () => {
    expect(await parseRestBody(request('<r><a>&lol9;</a></r>', 'application/xml'), 1000)).toEqual({
      a: '&lol9;',
    });
  });

  it('rejects an unrecognised non-empty body with 400', async () => {
    for (const [body, type] of [
      ['hello', 'text/plain'],
      ['hello', undefined],
      ['%PDF-1.4', 'application/pdf'],
    ] as const) {
      await expect(parseRestBody(request(body, type), 1000)).rejects.toMatchObject({
        status: 400,
        message: 'Unrecognized payload type',
      });
    }
  });

  it('answers a body over the limit with 413', async () => {
    const body = JSON.stringify({ resource: [{ Name: 'x'.repeat(200) }] });
    await expect(parseRestBody(request(body, 'application/json'), 100)).rejects.toMatchObject({
      status: 413,
      message: 'Request body is too large: the limit is 100 bytes.',
    });
    expect(await parseRestBody(request(body, 'application/json'), body.length)).toEqual(JSON.parse(body));
  });

  it('stops reading an endless stream once the limit is passed', async () => {
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        controller.enqueue(new Uint8Array(1024).fill(0x20));
      },
    });
    const streamed = new Request('http://localhost/api/v2/chinook/_table/Album', {
      method: 'POST',
      body: endless,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    await expect(parseRestBody(streamed, 10_000)).rejects.toMatchObject({ status: 413 });
    expect(pulls).toBeLessThan(20);
  });

  it('refuses a declared Content-Length over the limit before reading', async () => {
    const req = request('{}', 'application/json', { 'content-length': '999999' });
    await expect(parseRestBody(req, 1000)).rejects.toMatchObject({ status: 413 });
  });
});
