import { isDate } from 'node:util/types';

/**
 * The instant a `Date` holds, read from its internal time value (ECMA-262 [[DateValue]]) rather than through any
 * method it may override: a `Date` subclass such as `@date-fns/tz`'s `TZDate` writes its own zone in
 * `toISOString()`, and a hostile one can return anything from `toJSON()` or `getTime()`. The intrinsics are captured
 * once, so patching `Date.prototype` later changes nothing here.
 */
const getTime = Date.prototype.getTime;
const toISOString = Date.prototype.toISOString;

/**
 * The time value of `value` when it is a real Date object (any subclass, any realm-local Date), NaN for an invalid
 * Date, undefined for anything else (a Proxy around a Date included: it has no time value of its own).
 */
export function dateTimeValue(value: object): number | undefined {
  // isDate checks the internal slot (no user code runs, nothing is thrown for the common non-Date object).
  return isDate(value) ? (Reflect.apply(getTime, value, []) as number) : undefined;
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ` of a finite time value (extended years as ECMAScript writes them). */
export function isoFromTimeValue(time: number): string {
  return Reflect.apply(toISOString, new Date(time), []) as string;
}
