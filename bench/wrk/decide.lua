-- wrk script for ./bench.sh: POSTs decision bodies for accounts of the benchmark population
-- (bench/Reputation.Load/Population.cs builds the same ids) and prints one "result" line.
--
--   wrk ... -s bench/wrk/decide.lua URL -- KIND PATH KEY ACCOUNTS
--     KIND      request | billing (bodies for random known accounts, 4096 per thread, cycled)
--               signup (a new account per request: nothing is re-sent)
--     PATH      the path to POST to (a decision or its baseline)
--     KEY       the API key
--     ACCOUNTS  how many accounts the population has (ids b-0 .. b-(ACCOUNTS-1))

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function ip(i)
  local range = math.floor(i / 50)
  return string.format("10.%d.%d.%d", math.floor(range / 256) % 256, range % 256, (i % 50) + 1)
end

local function card(i)
  if i % 10 == 0 then
    return string.format("shared-card-%d", math.floor(i / 100))
  end
  return string.format("card-%d", i)
end

function init(args)
  kind, path, key, accounts = args[1], args[2], args[3], tonumber(args[4])
  headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = key }
  math.randomseed(id * 7919)
  requests = {}
  if kind == "signup" then
    run = string.format("%d%d", os.time(), id)
    sequence = 0
    return
  end
  for n = 1, 4096 do
    local i = math.random(0, accounts - 1)
    local body
    if kind == "billing" then
      body = string.format('{"accountId":"b-%d","paymentFingerprint":"%s","amountMinor":2000,"currency":"USD"}', i, card(i))
    else
      body = string.format('{"accountId":"b-%d","ip":"%s","model":"m-large"}', i, ip(i))
    end
    requests[n] = wrk.format("POST", path, headers, body)
  end
  index = 0
end

function request()
  if kind == "signup" then
    sequence = sequence + 1
    local body = string.format('{"accountId":"s-%s-%d","ip":"172.16.%d.%d","paymentFingerprint":"card-s-%s-%d","country":"NL"}',
      run, sequence, math.floor(sequence / 50) % 256, (sequence % 50) + 1, run, sequence)
    return wrk.format("POST", path, headers, body)
  end
  index = index % #requests + 1
  return requests[index]
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("result requests=%d seconds=%.3f rps=%.0f non2xx=%d errors=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    summary.errors.status, errors, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
