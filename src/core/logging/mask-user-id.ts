export { maskUserId as maskUserIdForLog } from '../../modules/redaction/mask-user-id';
