export { maskUserId as maskUserIdForLog } from '../redaction/mask-user-id';
