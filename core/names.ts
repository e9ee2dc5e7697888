/**
 * The one rule for names that become file or folder names (steps, mixture phases and sources): a
 * letter or digit, then letters, digits, '_', '-' and '.'. So no name is empty, hidden, `.` or
 * `..`, and none reaches outside the run folder.
 */
import { z } from "zod";

export const PATH_SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export const pathSafeName = z.string().regex(PATH_SAFE_NAME, "a name that becomes a file name: a letter or digit, then letters, digits, '_', '-', '.'");
