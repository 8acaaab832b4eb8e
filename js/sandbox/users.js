'use strict';
// users.js: the one fixed sandbox user of each platform. Ids are stable across runs so tests and
// examples can hard-code them. `id` is the identifier grants are filed under. Seeded accounts get
// made-up users of the same shape (seeded_users.js); directory.js keeps track of all of them.

const SANDBOX_USERS = Object.freeze({
  instagram: Object.freeze({
    // Larger than 2^53: a JS Number cannot hold it, so it is kept as a string and written into
    // JSON as a raw literal where the platform sends a number.
    id: '17841405793187218',
    userId: '17841405793187218',
    username: 'sandbox_creator',
    appScopedId: '7209158846401733',
    name: 'Sandbox Creator',
    accountType: 'BUSINESS',
    profilePictureUrl: 'https://sandbox.invalid/instagram/sandbox_creator.jpg',
  }),
  google: Object.freeze({
    id: '100000000000000000001',
    sub: '100000000000000000001',
    channelId: 'UCsandbox0000000000000001',
    channelTitle: 'Sandbox Channel',
    name: 'Sandbox Channel',
    email: 'sandbox.channel@example.com',
  }),
  tiktok: Object.freeze({
    id: 'sandbox-open-id-0001',
    openId: 'sandbox-open-id-0001',
    unionId: 'sandbox-union-id-0001',
    displayName: 'Sandbox Creator',
    avatarUrl: 'https://sandbox.invalid/tiktok/avatar.jpg',
  }),
  linkedin: Object.freeze({
    id: 'sandboxSub001',
    sub: 'sandboxSub001',
    name: 'Sandbox Member',
    givenName: 'Sandbox',
    familyName: 'Member',
    email: 'sandbox.member@example.com',
    locale: 'en_US',
    picture: 'https://sandbox.invalid/linkedin/member.jpg',
  }),
});

// The fields that identify a user (as opposed to describing one); directory.js finds a user by any.
const ID_FIELDS = Object.freeze(['id', 'userId', 'appScopedId', 'username', 'sub', 'channelId', 'openId', 'unionId']);

module.exports = { SANDBOX_USERS, ID_FIELDS };
