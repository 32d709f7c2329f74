/** Tests take free ports from the same helper the system launcher uses. */
export { freePort } from '../../scripts/lib/redis-provision';
