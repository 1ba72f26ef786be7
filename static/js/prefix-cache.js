// A fold over a growing list, remembered at every `every`-th item and at the last n asked for:
// playing forward folds only the new items, travelling back at most `every`. Pure. `step` must
// return a new value and leave its input alone (checkpoints share it).

export function createPrefixCache(step, { every = 128 } = {}) {
  let key;
  let start = null;
  let marks = []; // marks[j] = { item, value } after (j + 1) * every items
  let last = { n: 0, item: undefined, value: null };

  function reset(newKey, initial) {
    key = newKey;
    start = initial();
    marks = [];
    last = { n: 0, item: undefined, value: start };
  }

  /** The furthest checkpoint at or before n that these items still match. */
  function base(items, n) {
    for (let j = Math.min(Math.floor(n / every), marks.length); j >= 1; j -= 1) {
      if (items[j * every - 1] === marks[j - 1].item) return { n: j * every, value: marks[j - 1].value };
      marks.length = j - 1; // another list from here on
    }
    return { n: 0, value: start };
  }

  return {
    /**
     * The fold of items[0..n) from `initial()`. A new `cacheKey` (another run, scenario or mode)
     * starts over; a list changed under the same key is caught by item identity.
     */
    at(items, n, cacheKey, initial) {
      if (cacheKey !== key) reset(cacheKey, initial);
      const count = Math.max(0, Math.min(items.length, n));
      let from = base(items, count);
      if (last.n >= from.n && last.n <= count && (last.n === 0 || items[last.n - 1] === last.item)) {
        from = last;
      }
      let value = from.value;
      for (let i = from.n; i < count; i += 1) {
        value = step(value, items[i]);
        if ((i + 1) % every === 0 && marks.length === (i + 1) / every - 1) {
          marks.push({ item: items[i], value });
        }
      }
      last = { n: count, item: items[count - 1], value };
      return value;
    },
  };
}
