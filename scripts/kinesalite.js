#!/usr/bin/env node
// Starts kinesalite (local Kinesis) in memory, bound to 127.0.0.1 only: its own CLI listens on
// every interface. Stream state changes take ~50 ms instead of 500 ms so tests stay fast.
//
//   node scripts/kinesalite.js [--port 45672]     (or env KINESALITE_PORT)
'use strict'

const path = require('path')

const HOST = '127.0.0.1'
const DEFAULT_PORT = 45672

function parsePort(argv, env) {
  let raw = env.KINESALITE_PORT
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') raw = argv[i + 1]
    else if (argv[i].startsWith('--port=')) raw = argv[i].slice('--port='.length)
  }
  if (raw === undefined || raw === '') return DEFAULT_PORT
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`kinesalite: invalid port '${raw}'`)
    process.exit(2)
  }
  return port
}

let kinesalite
try {
  kinesalite = require(path.join(__dirname, '..', 'tools', 'node', 'node_modules', 'kinesalite'))
} catch (err) {
  console.error('kinesalite: not installed; run `npm ci` in tools/node first (' + err.message + ')')
  process.exit(1)
}

const port = parsePort(process.argv.slice(2), process.env)
const server = kinesalite({
  createStreamMs: 50,
  deleteStreamMs: 50,
  updateStreamMs: 50,
  // Every test class creates its own stream; the default limit of 10 shards would run out.
  shardLimit: 10000,
})

server.on('error', (err) => {
  console.error(`kinesalite: ${err.message}`)
  process.exit(1)
})

server.listen(port, HOST, () => {
  console.log(`kinesalite listening on ${HOST}:${port}`)
})

let stopping = false
function stop(signal) {
  if (stopping) return
  stopping = true
  server.close(() => process.exit(0))
  // Keep-alive connections can hold close() open; do not hang the caller.
  setTimeout(() => process.exit(0), 2000).unref()
  console.log(`kinesalite: ${signal}, stopping`)
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
