// The allocation scripts. One script run allocates a whole batch of requests for ONE bucket:
// Redis runs a script atomically, so any number of Mixer processes sharing a Redis never grant
// more than the limit, and concurrent Checks for a bucket cost one round trip and one state
// read/write between them. Every key a script touches shares one hash tag (one Redis Cluster
// slot).
//
// Both scripts take the same arguments:
//   KEYS[1] the bucket's state   KEYS[2] the bucket index (ROLLING_WINDOW; FIXED_WINDOW: = KEYS[1])
//   KEYS[2 + i] item i's dedup record (only read or written when item i deduplicates)
//   ARGV[1] max amount   ARGV[2] window (ms)   ARGV[3] bucket (ms; rolling only)
//   ARGV[4] now (ms since the epoch, Mixer's clock)   ARGV[5] minimum lifetime of a dedup record (ms)
//   ARGV[6] deadline (ms since the epoch, REDIS's clock)
//   then per item i (from 0): ARGV[7 + 3i] amount (< 0 releases), ARGV[8 + 3i] best effort (0/1),
//   ARGV[9 + 3i] deduplicate (0/1)
// and answer a flat list, per item: granted, valid ms, 1 if answered from a dedup record else 0;
// or, when Redis's clock (TIME) has passed the deadline, the status EXPIRED, having read and
// written nothing. Mixer may have answered the batch UNAVAILABLE by then (it gives up after
// commandTimeout and sets the deadline before that, see allocation-batcher.ts), so a script that
// Redis runs late, e.g. one that waited in a socket while Redis was stopped, takes no units.
// "valid ms" is how long the granted units stay allocated (the time left in the window); for
// a refusal, how long until units come back. Items are served in order, so a later item sees
// what an earlier one took (and a repeated dedup id within a batch is answered from the record).
//
// Window time comes from Mixer (ARGV[4]) as in Istio; expiry decisions compare it with the
// stored times, and key TTLs (PEXPIRE) only clean up. Mixer hosts sharing a Redis need
// synchronised clocks. The deadline alone is in Redis's clock. Reading TIME before writing needs
// scripts replicated by their effects: the default since Redis 5 and the only way since 7.0;
// redis.replicate_commands() asks for it on older servers and does nothing on newer ones.

/** The script's answer when it ran after its deadline (a status reply). */
export const EXPIRED = 'EXPIRED';

const PROLOGUE = `
redis.replicate_commands()
local clock = redis.call('TIME')
if tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000 > tonumber(ARGV[6]) then
  return redis.status_reply('${EXPIRED}')
end
local max = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local bucket = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local dedupTtl = tonumber(ARGV[5])
local items = (#ARGV - 6) / 3
local out = {}

-- The previous answer for item i's dedup id, if any (appended to out; true when found).
local function repeated(i)
  local previous = redis.call('HMGET', KEYS[2 + i], 'g', 'e')
  local g, e = tonumber(previous[1]), tonumber(previous[2])
  if g and e then
    out[#out + 1] = g
    out[#out + 1] = math.max(0, e - now)
    out[#out + 1] = 1
    return true
  end
  return false
end

-- Records and appends item i's answer.
local function answer(i, dedup, granted, valid)
  if dedup then
    redis.call('HSET', KEYS[2 + i], 'g', granted, 'e', now + valid)
    redis.call('PEXPIRE', KEYS[2 + i], math.max(valid, dedupTtl))
  end
  out[#out + 1] = granted
  out[#out + 1] = valid
  out[#out + 1] = 0
end

-- What an allocation of amount gets when used units are taken.
local function grant(used, amount, bestEffort)
  if used + amount <= max then return amount end
  if bestEffort then return math.max(0, max - used) end
  return 0
end
`;

/**
 * FIXED_WINDOW. KEYS[1]: hash {t = units allocated, e = end of the window}. A window starts with
 * the first allocation after the previous one ended and lasts `window` ms; the key expires with
 * it. An empty window leaves no key behind.
 */
export const FIXED_WINDOW_LUA = `${PROLOGUE}
local state = redis.call('HMGET', KEYS[1], 't', 'e')
local used, ends = tonumber(state[1]), tonumber(state[2])
if not used or not ends or now >= ends then
  used = 0
  ends = now + window
end
local dirty = false
for i = 1, items do
  local base = 4 + 3 * i
  local amount = tonumber(ARGV[base])
  local bestEffort = ARGV[base + 1] == '1'
  local dedup = ARGV[base + 2] == '1'
  if not (dedup and repeated(i)) then
    local granted
    if amount > 0 then
      granted = grant(used, amount, bestEffort)
      used = used + granted
    else
      granted = math.min(-amount, used)
      used = used - granted
    end
    if granted ~= 0 then dirty = true end
    answer(i, dedup, granted, ends - now)
  end
end
if dirty then
  if used > 0 then
    redis.call('HSET', KEYS[1], 't', used, 'e', ends)
    redis.call('PEXPIRE', KEYS[1], ends - now)
  else
    redis.call('DEL', KEYS[1])
  end
end
return out`;

/**
 * ROLLING_WINDOW. KEYS[1]: hash {t = units in the window, <bucket start> = units of that
 * bucket}; KEYS[2]: sorted set of bucket starts (score = start). Buckets are aligned to
 * multiples of the bucket length; a bucket's units come back when its start is `window` ms old,
 * and reclaimed buckets are deleted, so a key holds at most window/bucket buckets. Both keys
 * expire when the newest bucket leaves the window; an empty window leaves no key behind.
 */
export const ROLLING_WINDOW_LUA = `${PROLOGUE}
local start = now - (now % bucket)
local member = string.format('%d', start)
local horizon = now - window
local used = tonumber(redis.call('HGET', KEYS[1], 't')) or 0
local dirty = false
while true do
  local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', horizon, 'LIMIT', 0, 256)
  local n = #expired
  if n == 0 then break end
  local counts = redis.call('HMGET', KEYS[1], unpack(expired))
  for j = 1, n do used = used - (tonumber(counts[j]) or 0) end
  redis.call('HDEL', KEYS[1], unpack(expired))
  redis.call('ZREM', KEYS[2], unpack(expired))
  dirty = true
  if n < 256 then break end
end
if used < 0 then used = 0 end
local added = 0
for i = 1, items do
  local base = 4 + 3 * i
  local amount = tonumber(ARGV[base])
  local bestEffort = ARGV[base + 1] == '1'
  local dedup = ARGV[base + 2] == '1'
  if not (dedup and repeated(i)) then
    local granted = 0
    local valid = start + window - now
    if amount > 0 then
      granted = grant(used, amount, bestEffort)
      used = used + granted
      added = added + granted
      if granted == 0 then
        -- Refused: valid is how long until the oldest units come back.
        if added > 0 then
          redis.call('HINCRBY', KEYS[1], member, added)
          redis.call('ZADD', KEYS[2], start, member)
          added = 0
        end
        local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
        if oldest[2] then valid = math.max(1, tonumber(oldest[2]) + window - now) end
      end
    else
      -- A release gives back units from the newest buckets first (this batch's first).
      if added > 0 then
        redis.call('HINCRBY', KEYS[1], member, added)
        redis.call('ZADD', KEYS[2], start, member)
        added = 0
      end
      local wanted = -amount
      local members = redis.call('ZREVRANGE', KEYS[2], 0, -1)
      for j = 1, #members do
        if granted >= wanted then break end
        local held = tonumber(redis.call('HGET', KEYS[1], members[j])) or 0
        local take = math.min(held, wanted - granted)
        if take == held then
          redis.call('HDEL', KEYS[1], members[j])
          redis.call('ZREM', KEYS[2], members[j])
        else
          redis.call('HINCRBY', KEYS[1], members[j], -take)
        end
        granted = granted + take
      end
      used = used - granted
      valid = 0
    end
    if granted ~= 0 then dirty = true end
    answer(i, dedup, granted, valid)
  end
end
if added > 0 then
  redis.call('HINCRBY', KEYS[1], member, added)
  redis.call('ZADD', KEYS[2], start, member)
end
if dirty then
  if used > 0 then
    local newest = redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    local ttl = math.max(1, (tonumber(newest[2]) or start) + window - now)
    redis.call('HSET', KEYS[1], 't', used)
    redis.call('PEXPIRE', KEYS[1], ttl)
    redis.call('PEXPIRE', KEYS[2], ttl)
  else
    redis.call('DEL', KEYS[1], KEYS[2])
  end
end
return out`;

/** The commands each connection defines (EVALSHA, falling back to EVAL once per connection); the key count comes first. */
export const SCRIPT_COMMANDS = {
  redisquotaFixedWindow: { lua: FIXED_WINDOW_LUA },
  redisquotaRollingWindow: { lua: ROLLING_WINDOW_LUA },
} as const;

/** One item's answer. */
export interface ScriptReply {
  readonly granted: number;
  readonly validMs: number;
  readonly deduplicated: boolean;
}

/**
 * Reads a batch reply of `items` answers: EXPIRED when the script ran after its deadline, undefined
 * when it is neither that nor `items` × `{int, int, 0|1}`.
 */
export function readScriptReplies(reply: unknown, items: number): ScriptReply[] | typeof EXPIRED | undefined {
  if (reply === EXPIRED) return EXPIRED;
  if (!Array.isArray(reply) || reply.length !== 3 * items) return undefined;
  const replies: ScriptReply[] = [];
  for (let index = 0; index < reply.length; index += 3) {
    const [granted, validMs, deduplicated] = [reply[index] as unknown, reply[index + 1] as unknown, reply[index + 2] as unknown];
    if (typeof granted !== 'number' || typeof validMs !== 'number' || (deduplicated !== 0 && deduplicated !== 1)) return undefined;
    replies.push({ granted, validMs, deduplicated: deduplicated === 1 });
  }
  return replies;
}
