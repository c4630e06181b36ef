// The `junction` executable's entry point (bin/junction.js imports the compiled copy of this file).
import { main } from './main.js';

await main(process.argv);
