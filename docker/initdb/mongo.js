// Sample collection for the compose stack (service `comments`): free-form comments on Chinook tracks.
// Runs once in the `app` database (MONGO_INITDB_DATABASE) when the volume is first created.
/* global db -- provided by mongosh */
db.comment.createIndex({ trackId: 1 });
db.comment.insertMany([
  {
    trackId: 1,
    author: 'ana',
    text: 'Still the best opener.',
    postedAt: new Date('2024-03-01T10:00:00Z'),
    likes: 4,
  },
  {
    trackId: 1,
    author: 'ben',
    text: 'Loud in the best way.',
    postedAt: new Date('2024-03-02T18:30:00Z'),
    likes: 1,
  },
  {
    trackId: 6,
    author: 'chloe',
    text: 'The riff carries it.',
    postedAt: new Date('2024-04-11T08:15:00Z'),
    likes: 7,
  },
  {
    trackId: 77,
    author: 'dev',
    text: 'Underrated.',
    postedAt: new Date('2024-05-20T21:45:00Z'),
    tags: ['deep cut'],
  },
  {
    trackId: 350,
    author: 'ana',
    text: 'Good on a long drive.',
    postedAt: new Date('2024-06-03T07:05:00Z'),
    likes: 2,
  },
]);
